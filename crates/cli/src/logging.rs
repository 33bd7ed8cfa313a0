//! Logs: human-readable on standard error (colour and a progress spinner only on a terminal,
//! plain text when piped) and JSON lines in the output root's `logs/` once a run holds it.
//! Events carry counts, keys and timings, never row-level data.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tracing_subscriber::Layer as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// Where JSON lines go: held in memory until a run opens its log file, then to the file.
enum Sink {
    Buffer(Vec<u8>),
    File(std::fs::File),
}

static JSON: Mutex<Sink> = Mutex::new(Sink::Buffer(Vec::new()));

/// The progress spinner of the stage under way (terminal only).
static PROGRESS: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);

/// Writes one formatted event to the JSON sink.
struct JsonWriter;

impl Write for JsonWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut *JSON.lock().unwrap_or_else(|p| p.into_inner()) {
            Sink::Buffer(b) => {
                // Before a run opens its log only a few lines are held; never grow unbounded.
                if b.len() < (1 << 20) {
                    b.extend_from_slice(buf);
                }
                Ok(buf.len())
            }
            Sink::File(f) => f.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut *JSON.lock().unwrap_or_else(|p| p.into_inner()) {
            Sink::Buffer(_) => Ok(()),
            Sink::File(f) => f.flush(),
        }
    }
}

/// Writes human-readable lines to standard error, clearing the spinner around them.
struct HumanWriter;

impl Write for HumanWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = PROGRESS.lock().unwrap_or_else(|p| p.into_inner()).clone();
        match bar {
            Some(b) => b.suspend(|| std::io::stderr().write_all(buf))?,
            None => std::io::stderr().write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Installs the two log layers. `RUST_LOG` filters the terminal's; the JSON log keeps `info`
/// and above whatever it says.
pub(crate) fn init() {
    let ansi = std::io::stderr().is_terminal();
    let human = tracing_subscriber::fmt::layer()
        .with_writer(|| HumanWriter)
        .with_ansi(ansi)
        .with_target(false)
        .with_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        );
    let json = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_writer(|| JsonWriter)
        .with_filter(tracing_subscriber::filter::LevelFilter::INFO);
    let _ = tracing_subscriber::registry()
        .with(human)
        .with(json)
        .try_init();
}

/// Sends the JSON lines to `path` from now on (the lines logged so far go first).
pub(crate) fn open_json(path: &Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::File::options()
        .create(true)
        .append(true)
        .open(path)?;
    let mut sink = JSON.lock().unwrap_or_else(|p| p.into_inner());
    if let Sink::Buffer(b) = &*sink {
        f.write_all(b)?;
    }
    *sink = Sink::File(f);
    Ok(())
}

/// Stops writing JSON lines to a file (the file is closed; later lines are held in memory).
pub(crate) fn close_json() {
    let mut sink = JSON.lock().unwrap_or_else(|p| p.into_inner());
    if let Sink::File(f) = &mut *sink {
        let _ = f.flush();
        let _ = f.sync_all();
    }
    *sink = Sink::Buffer(Vec::new());
}

/// The timings of a run's stages, in order.
#[derive(Debug, Default, Clone)]
pub(crate) struct Timings {
    pub stages: Vec<(String, Duration)>,
}

impl Timings {
    /// Runs `f` as the named stage: a spinner on a terminal, a log line with its duration,
    /// and its time recorded.
    pub fn stage<T>(&mut self, name: &str, f: impl FnOnce() -> T) -> T {
        let bar = indicatif::ProgressBar::new_spinner();
        if std::io::stderr().is_terminal() {
            bar.set_message(format!("{name}…"));
            bar.enable_steady_tick(Duration::from_millis(120));
        } else {
            bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        *PROGRESS.lock().unwrap_or_else(|p| p.into_inner()) = Some(bar.clone());
        let start = Instant::now();
        let out = f();
        let took = start.elapsed();
        bar.finish_and_clear();
        *PROGRESS.lock().unwrap_or_else(|p| p.into_inner()) = None;
        tracing::info!(
            stage = name,
            seconds = format!("{:.3}", took.as_secs_f64()),
            "stage finished"
        );
        self.stages.push((name.to_owned(), took));
        out
    }
}
