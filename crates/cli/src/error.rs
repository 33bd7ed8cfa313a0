//! Exit classes: every failure the binary reports is tagged with one, and the process exits with
//! its code (documented in the README). Library errors are mapped to a class where they enter
//! this crate.

/// Exit codes, one per class of failure (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitClass {
    /// The input data is invalid (3).
    BadInput = 3,
    /// The methodology configuration or an option is invalid (4).
    BadConfig = 4,
    /// A file could not be read or written (5).
    Io = 5,
    /// Validation thresholds were breached: quarantined rows exceed what the configuration
    /// allows, so nothing was written (6).
    Validation = 6,
    /// Another run holds the output directory's lock; nothing was written (7).
    Locked = 7,
    /// Quality assurance found a figure that does not re-derive from the outputs: `league
    /// check` reports it, and `league report`/`league score` publish nothing (8).
    CheckFailed = 8,
    /// `league publish` refused: before the release time, or the run failed, is unchecked or
    /// is already published (9).
    NotReleasable = 9,
    /// A bug (10).
    Internal = 10,
}

/// An error tagged with its exit class. It prints as nothing: it only carries the class.
#[derive(Debug, thiserror::Error)]
#[error("")]
pub(crate) struct Classified {
    pub(crate) class: ExitClass,
}

pub(crate) trait Classify<T> {
    fn class(self, class: ExitClass) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> Classify<T> for Result<T, E> {
    fn class(self, class: ExitClass) -> anyhow::Result<T> {
        self.map_err(|e| e.into().context(Classified { class }))
    }
}

/// The exit class an error was tagged with ([`ExitClass::Internal`] if none).
pub(crate) fn exit_class(e: &anyhow::Error) -> ExitClass {
    e.downcast_ref::<Classified>()
        .map_or(ExitClass::Internal, |c| c.class)
}

pub(crate) fn ingest_error(e: league_ingest::IngestError) -> anyhow::Error {
    let class = if e.is_bad_input() {
        ExitClass::BadInput
    } else {
        ExitClass::Io
    };
    anyhow::Error::new(e).context(Classified { class })
}
