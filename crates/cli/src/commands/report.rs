//! `league report`: the main job. Validates and scores the embedded default dataset (or the
//! `--input` files) and writes a release under `OUT/releases/<run id>/`, made current.

use std::path::PathBuf;

use crate::args::Common;
use crate::config;
use crate::config::data::{self, DataDir};
use crate::config::job::{OutputSet, Period};
use crate::error::{Classify, ExitClass};
use crate::pipeline::{self, InputSpec, Reuse, RunSpec};

/// The command line of `league report`.
pub(crate) struct Args {
    pub data: DataDir,
    pub input: Vec<PathBuf>,
    pub common: Common,
    pub out: PathBuf,
    pub board_assessment: Option<PathBuf>,
    pub records: Option<PathBuf>,
    pub period: String,
    pub outputs: Vec<String>,
}

/// `league report`.
pub(crate) fn command(a: Args) -> anyhow::Result<()> {
    let mut inputs = InputSpec::from_args(a.input);
    inputs.extend(a.records.map(InputSpec::Records));
    let release = config::release_time(&a.common)?;
    let spec = RunSpec {
        job: "report".to_owned(),
        data: a.data,
        methodology: data::METHODOLOGY.to_owned(),
        inputs,
        common: a.common,
        out: a.out,
        board_assessment: a.board_assessment,
        period: Period::parse(&a.period)
            .map_err(|e| anyhow::anyhow!("--period: {e}"))
            .class(ExitClass::BadConfig)?,
        outputs: OutputSet::parse(&a.outputs)
            .map_err(|e| anyhow::anyhow!("--outputs: {e}"))
            .class(ExitClass::BadConfig)?,
        release,
        keep_releases: None,
        reuse: Reuse::Build,
    };
    pipeline::run(&spec).map(|_| ())
}
