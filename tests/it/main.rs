//! End-to-end tests: the real `league` binary on the real data shipped in `data/`.

mod acute;
mod backtest;
mod backtest_acute;
mod bad_input;
mod beside;
mod check;
mod containment;
mod corpus;
mod fuzz;
mod holdout;
mod hostile;
mod intervention;
mod letters;
mod operations;
mod pack;
mod pipeline;
mod records;
mod site;
mod statistics;
mod tidy;
mod util;
mod workbook;
