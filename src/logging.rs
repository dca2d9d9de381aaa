//! `serve`'s log on stderr: text or JSON lines, filtered by `RUST_LOG`.

/// What `serve` writes its log as (`--log-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// `RUST_LOG` as a list of `target=level` directives (`info`, `fake_asana=debug,warn`).
/// `Targets` rather than `EnvFilter`: the harness logs by target and level only, and
/// `EnvFilter`'s span and regex filters cost a regex engine in every build.
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::filter::Targets;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let filter = match std::env::var("RUST_LOG") {
        Ok(spec) if !spec.trim().is_empty() => spec.parse::<Targets>().unwrap_or_else(|e| {
            eprintln!(
                "RUST_LOG={spec:?} is not a list of target=level directives ({e}); logging at info"
            );
            Targets::new().with_default(tracing::Level::INFO)
        }),
        _ => Targets::new().with_default(tracing::Level::INFO),
    };
    let registry = tracing_subscriber::registry().with(filter);
    // Colour codes only for a person at a terminal: a redirected log (a file, a container's
    // log collector) gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(ansi);
    let _ = if format == LogFormat::Json {
        registry.with(layer.json()).try_init()
    } else {
        registry.with(layer).try_init()
    };
}
