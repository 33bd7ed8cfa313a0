//! One module per command; [`dispatch`] hands the parsed command line to it. A command reads
//! its configuration through `config`, runs through `pipeline` and reaches the output root
//! only through `store`.

mod access;
mod backfill;
mod build_dataset;
mod check;
mod history;
mod lineage;
mod publish;
mod report;
mod run;
mod score;
mod serve;
mod validate;

use crate::args::{Command, Generate};
use crate::config::data::DataDir;
use crate::records;
use crate::store::RunId;

/// Runs one command.
pub(crate) fn dispatch(cmd: Command) -> anyhow::Result<()> {
    match cmd {
        Command::Score {
            nof_data,
            quarter,
            cut_points,
            common,
            data_dir,
            out,
        } => score::command(
            &nof_data,
            quarter,
            cut_points.as_deref(),
            &common,
            &DataDir::from_arg(data_dir),
            &out,
        ),
        Command::Report {
            data_dir,
            input,
            common,
            out,
            board_assessment,
            records: record_dir,
            period,
            outputs,
        } => report::command(report::Args {
            data: DataDir::from_arg(data_dir),
            input,
            common,
            out,
            board_assessment,
            records: record_dir,
            period,
            outputs,
        }),
        Command::Run {
            job,
            period,
            rerun,
            out,
        } => run::command(&job, period.as_deref(), rerun, out),
        Command::Backfill {
            job,
            from,
            to,
            mode,
            dry_run,
            out,
        } => backfill::command(&job, from, to, &mode, dry_run, out),
        Command::Publish {
            run_id,
            out,
            correction,
        } => publish::publish(&out, &RunId::parse(&run_id)?, correction.as_deref()),
        Command::Serve { dir, port } => serve::command(&dir, port),
        Command::History { out, rebuild_into } => history::command(&out, rebuild_into.as_deref()),
        Command::Lineage { run_id, out } => lineage::command(&out, &RunId::parse(&run_id)?),
        Command::Access {
            run_id,
            out,
            who,
            reason,
            list,
        } => access::command(
            &out,
            &RunId::parse(&run_id)?,
            who.as_deref(),
            reason.as_deref(),
            list,
        ),
        Command::Generate {
            what: Generate::Records(args),
        } => records::generate(&args),
        Command::Aggregate(args) => records::aggregate(&args),
        Command::Validate {
            inputs,
            format,
            quarantine,
            data_dir,
            limit,
        } => validate::validate(
            &inputs,
            format.as_deref(),
            quarantine.as_deref(),
            &DataDir::from_arg(data_dir),
            limit,
        ),
        Command::Check {
            dir,
            methodology,
            data_dir,
        } => check::command(&dir, methodology, &DataDir::from_arg(data_dir)),
        Command::BuildDataset { data_dir, out } => build_dataset::command(&data_dir, out),
    }
}
