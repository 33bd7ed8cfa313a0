//! Writers for the engine's results: league-table and metric-score CSVs in NHS England's layouts, published atomically.
