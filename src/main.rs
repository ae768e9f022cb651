//! `ripple`: everything the app computes, scriptable (DESIGN.md, "Command line").
//! One subcommand per operation, each a small function over the library.
//! Bad input: a message on stderr naming what is wrong, exit code 2, nothing written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

use ripple::analysis::{self, Analysis};
use ripple::api;
use ripple::error::ApiError;
use ripple::engine::{EngineGraph, ImpactResult, Incident, DEFAULT_EPSILON};
use ripple::export::{self as results, ExportError, Format as ExportFormat};
use ripple::generate::generate;
use ripple::mapio::{self, Format};
use ripple::org::OrgMap;

/// Ripple — how one person's work ripples through internal customers to external ones.
#[derive(Parser)]
#[command(name = "ripple", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Propagate one or several incidents over a map.
    Impact(ImpactArgs),
    /// Criticality, cycles, dominators and centralities of every unit of a map.
    Analyze(AnalyzeArgs),
    /// Write a generated organisation map (JSON) of a given size.
    Generate(GenerateArgs),
    /// Convert a map to another format.
    Convert(ConvertArgs),
    /// Create a workshop in a database from the demo or a template map; prints its id.
    New(NewArgs),
    /// List the workshops in a database.
    Workshops(WorkshopsArgs),
    /// Export a workshop: json (the archive) | xlsx | csv | report (HTML) | pdf | graphml | kumu.
    Export(ExportArgs),
    /// Import an archive (`ripple export --format json`) as a new workshop; prints its id.
    Import(ImportArgs),
    /// Merge several archives of one organisation into one report comparing the cohorts.
    Rollup(RollupArgs),
    /// Serve a workshop's participants (the page, the WebSocket) until interrupted.
    Serve(ServeArgs),
    /// Simulate a room of phones against a server on 127.0.0.1 and print the figures.
    Loadtest(LoadtestArgs),
    /// Time the engine on a map (figures for bench/engine.sh; see docs/results-format.md).
    #[command(hide = true)]
    BenchImpact(BenchArgs),
    /// Build a large workshop and time its export to every format (figures for the README).
    #[command(hide = true)]
    BenchExport(BenchExportArgs),
    /// Apply an endless stream of edits through a workshop session, printing each
    /// change's number once committed (for the crash test, which kills it).
    #[command(hide = true)]
    Torture(TortureArgs),
}

#[derive(Args)]
struct ImpactArgs {
    /// A JSON or GraphML map, or a folder with units.csv and links.csv.
    #[arg(long)]
    map: PathBuf,
    /// UNIT[:SEVERITY[:KIND]]; severity in (0, 1] (default 1), kind late|quality|delivery (default late). Repeatable.
    #[arg(long = "incident", required = true, value_parser = parse_incident)]
    incidents: Vec<Incident>,
    /// Impacts below this are absorbed.
    #[arg(long, default_value_t = DEFAULT_EPSILON)]
    epsilon: f64,
    /// Print the result as JSON (docs/results-format.md) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct AnalyzeArgs {
    #[arg(long)]
    map: PathBuf,
    #[arg(long, default_value_t = DEFAULT_EPSILON)]
    epsilon: f64,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct GenerateArgs {
    /// Number of units (at least 4).
    #[arg(long)]
    units: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The JSON file to write.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
struct ConvertArgs {
    #[arg(long)]
    map: PathBuf,
    /// json | csv | graphml | kumu (csv and kumu write a folder).
    #[arg(long, value_parser = parse_format)]
    to: Format,
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
struct NewArgs {
    /// The database file (created if missing).
    #[arg(long)]
    db: PathBuf,
    /// `demo`, or a template: a JSON map or a folder with units.csv and links.csv.
    #[arg(long)]
    from: String,
    /// The workshop's name (default: the demo's or the map's name).
    #[arg(long)]
    name: Option<String>,
}

#[derive(Args)]
struct WorkshopsArgs {
    #[arg(long)]
    db: PathBuf,
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ExportArgs {
    #[arg(long)]
    db: PathBuf,
    #[arg(long)]
    workshop: i64,
    /// json | xlsx | csv | report | pdf | graphml | kumu (csv and kumu write a folder, or a .zip).
    #[arg(long, value_parser = parse_export_format)]
    format: ExportFormat,
    #[arg(long)]
    out: PathBuf,
    /// Leave every participant's name out.
    #[arg(long)]
    anonymous: bool,
}

#[derive(Args)]
struct ImportArgs {
    /// The database file (created if missing).
    #[arg(long)]
    db: PathBuf,
    /// The archive (a `.json` written by `ripple export --format json`).
    archive: PathBuf,
}

#[derive(Args)]
struct RollupArgs {
    /// The HTML report to write (or a .pdf).
    #[arg(long)]
    out: PathBuf,
    /// Archives of one organisation, the baseline first.
    #[arg(required = true)]
    archives: Vec<PathBuf>,
}

#[derive(Args)]
struct BenchExportArgs {
    #[arg(long, default_value_t = 2000)]
    participants: usize,
    #[arg(long, default_value_t = 200)]
    units: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where the database and the exports go (default: a temporary folder, removed after).
    #[arg(long)]
    dir: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    #[arg(long)]
    db: PathBuf,
    #[arg(long)]
    workshop: i64,
    /// Where to listen (default: this machine's LAN address, port 8765 or the next free one).
    #[arg(long)]
    bind: Option<std::net::SocketAddr>,
    /// Open the self-assessment and thanks rounds at start (trainer actions are not
    /// reachable over the network; this is how a headless room opens them).
    #[arg(long)]
    open_rounds: bool,
    /// Start a Ripple Effect round at start with these incidents (UNIT[:SEVERITY[:KIND]],
    /// repeatable): participants can predict (for headless tests of the phone page).
    #[arg(long = "game", value_parser = parse_incident)]
    game: Vec<Incident>,
    /// Start the walkthrough of an Engagement Cycle at start: a template id (`repair-call`),
    /// added to the workshop if it has none of that name, with its needs revealed.
    #[arg(long = "cycle")]
    cycle: Option<String>,
}

#[derive(Args)]
struct LoadtestArgs {
    #[arg(long, default_value_t = 2000)]
    participants: usize,
    /// The answers are spread over this many seconds.
    #[arg(long, default_value_t = 10.0)]
    burst_seconds: f64,
}

#[derive(Args)]
struct BenchArgs {
    #[arg(long)]
    map: PathBuf,
    /// Comma-separated incident units; by default the first support units by id.
    #[arg(long, value_delimiter = ',')]
    incidents: Vec<String>,
    /// How many incident units to pick when none are given.
    #[arg(long, default_value_t = 10)]
    count: usize,
    /// Runs of each incident; the median is reported.
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    #[arg(long, default_value_t = DEFAULT_EPSILON)]
    epsilon: f64,
    /// Also time the full analysis.
    #[arg(long)]
    analyze: bool,
}

#[derive(Args)]
struct TortureArgs {
    #[arg(long)]
    db: PathBuf,
    #[arg(long)]
    workshop: i64,
    /// Stop after this many changes (default: never).
    #[arg(long)]
    count: Option<u64>,
}

fn parse_incident(text: &str) -> Result<Incident, String> {
    text.parse::<Incident>().map_err(|e| e.to_string())
}

fn parse_export_format(text: &str) -> Result<ExportFormat, String> {
    ExportFormat::parse(text).ok_or_else(|| format!("'{text}' is not one of json, xlsx, csv, report, pdf, graphml, kumu"))
}

fn parse_format(text: &str) -> Result<Format, String> {
    Format::parse(text).ok_or_else(|| format!("'{text}' is not one of json, csv, graphml, kumu"))
}

/// A failed command: bad input (exit 2) or a failure of the machine (exit 1).
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Input(String),
    #[error("{0}")]
    System(String),
}

impl From<mapio::MapIoError> for Failure {
    fn from(e: mapio::MapIoError) -> Failure {
        match e {
            mapio::MapIoError::Io { ref source, .. } if source.kind() != std::io::ErrorKind::NotFound => Failure::System(e.to_string()),
            e => Failure::Input(e.to_string()),
        }
    }
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        match e.code.as_str() {
            "storage" => Failure::System(e.message),
            _ => Failure::Input(e.message),
        }
    }
}

impl From<ExportError> for Failure {
    fn from(e: ExportError) -> Failure {
        match e {
            ExportError::Archive(_) | ExportError::Output { .. } | ExportError::Input(_) => Failure::Input(e.to_string()),
            ExportError::Store(e) => ApiError::from(e).into(),
            ExportError::Render(m) => Failure::System(m),
        }
    }
}

impl From<ripple::engine::EngineError> for Failure {
    fn from(e: ripple::engine::EngineError) -> Failure {
        Failure::Input(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let outcome = match cli.command {
        Command::Impact(args) => impact(args),
        Command::Analyze(args) => analyze(args),
        Command::Generate(args) => generate_map(args),
        Command::Convert(args) => convert(args),
        Command::New(args) => new_workshop(args),
        Command::Workshops(args) => list_workshops(args),
        Command::Export(args) => export_workshop(args),
        Command::Import(args) => import_archive(args),
        Command::Rollup(args) => rollup(args),
        Command::BenchExport(args) => bench_export(args),
        Command::Serve(args) => serve(args),
        Command::Loadtest(args) => loadtest(args),
        Command::BenchImpact(args) => bench_impact(args),
        Command::Torture(args) => torture(args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(message)) => {
            eprintln!("ripple: {message}");
            ExitCode::from(2)
        }
        Err(Failure::System(message)) => {
            eprintln!("ripple: {message}");
            ExitCode::from(1)
        }
    }
}

fn load(path: &Path) -> Result<OrgMap, Failure> {
    Ok(mapio::load(path)?)
}

fn print_json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut out, value).map_err(|e| Failure::System(e.to_string()))?;
    writeln!(out).and_then(|_| out.flush()).map_err(|e| Failure::System(e.to_string()))
}

fn impact(args: ImpactArgs) -> Result<(), Failure> {
    let map = load(&args.map)?;
    let result = EngineGraph::new(&map).impact(&args.incidents, args.epsilon)?;
    if args.json {
        return print_json(&result);
    }
    print_impact_table(&result);
    Ok(())
}

fn print_impact_table(result: &ImpactResult) {
    println!("{:<24} {:>7} {:>5} {:>9}  chain", "unit", "impact", "hops", "arrival h");
    for hit in &result.hits {
        println!("{:<24} {:>7.3} {:>5} {:>9.1}  {}", hit.unit, hit.impact, hit.hops, hit.arrival, hit.chain.join(" → "));
    }
    println!();
    println!("external segments hit: {}; external impact {:.3}", result.external.len(), result.external_impact);
}

fn analyze(args: AnalyzeArgs) -> Result<(), Failure> {
    let map = load(&args.map)?;
    let result = analysis::analyze(&map, args.epsilon)?;
    if args.json {
        return print_json(&result);
    }
    print_analysis_table(&result);
    Ok(())
}

fn print_analysis_table(result: &Analysis) {
    println!("{:<24} {:<10} {:>11} {:>9} {:>13} {:>11}", "unit", "kind", "criticality", "segments", "depended upon", "betweenness");
    for u in &result.units {
        println!(
            "{:<24} {:<10} {:>11.3} {:>9} {:>13.2} {:>11.4}",
            u.unit,
            u.kind.as_str(),
            u.criticality,
            u.segments_reached,
            u.depended_upon,
            u.betweenness
        );
    }
    println!();
    for cycle in &result.cycles {
        println!("cycle of mutual dependency: {}", cycle.join(", "));
    }
    for d in &result.dominators {
        let through = if d.all_chains_through.is_empty() { "no single unit".to_owned() } else { d.all_chains_through.join(" ← ") };
        println!("every chain to {} runs through: {}", d.external, through);
    }
}

fn generate_map(args: GenerateArgs) -> Result<(), Failure> {
    if args.units < ripple::generate::MIN_UNITS {
        return Err(Failure::Input(format!("--units {} is too small; at least {}", args.units, ripple::generate::MIN_UNITS)));
    }
    if args.units > 10_000_000 {
        return Err(Failure::Input(format!("--units {} is too large; at most 10000000", args.units)));
    }
    let map = generate(args.units, args.seed);
    Ok(mapio::save(&map, Format::Json, &args.out)?)
}

fn convert(args: ConvertArgs) -> Result<(), Failure> {
    let map = load(&args.map)?;
    Ok(mapio::save(&map, args.to, &args.out)?)
}

fn new_workshop(args: NewArgs) -> Result<(), Failure> {
    // An archive opens as the workshop it holds (renamed if --name is given).
    if Path::new(&args.from).is_file() && results::archive::looks_like_archive(Path::new(&args.from)) {
        let mut archive = results::read_archive(Path::new(&args.from))?;
        if let Some(name) = args.name {
            archive.name = name;
        }
        archive.check()?;
        let mut store = api::open_store(&args.db)?;
        let id = store.import_archive(&archive).map_err(ApiError::from)?;
        println!("{id}");
        return Ok(());
    }
    // The template is checked before the database is touched: bad input writes nothing.
    let template = api::load_template(&args.from)?;
    let mut store = api::open_store(&args.db)?;
    let id = api::create_workshop(&mut store, &template, args.name.as_deref())?;
    println!("{id}");
    Ok(())
}

fn list_workshops(args: WorkshopsArgs) -> Result<(), Failure> {
    if !args.db.exists() {
        return Err(Failure::Input(format!("no database at {}", args.db.display())));
    }
    let store = api::open_store(&args.db)?;
    let workshops = api::list_workshops(&store)?;
    if args.json {
        return print_json(&workshops);
    }
    println!("{:>5}  {:<40} {:>6} {:>6}  updated", "id", "name", "units", "links");
    for w in &workshops {
        println!("{:>5}  {:<40} {:>6} {:>6}  {}", w.id, w.name, w.units, w.links, w.updated_at);
    }
    Ok(())
}

fn no_database(db: &Path) -> Result<(), Failure> {
    if db.exists() {
        Ok(())
    } else {
        Err(Failure::Input(format!("no database at {}", db.display())))
    }
}

fn export_workshop(args: ExportArgs) -> Result<(), Failure> {
    no_database(&args.db)?;
    results::check_output(&args.out, args.format)?;
    let store = api::open_store(&args.db)?;
    results::export(&store, args.workshop, args.format, &args.out, results::ExportOptions { anonymous: args.anonymous })?;
    Ok(())
}

fn import_archive(args: ImportArgs) -> Result<(), Failure> {
    // Checked whole before the database is opened: a bad archive writes nothing.
    let archive = results::read_archive(&args.archive)?;
    let mut store = api::open_store(&args.db)?;
    let id = store.import_archive(&archive).map_err(ApiError::from)?;
    println!("{id}");
    Ok(())
}

fn rollup(args: RollupArgs) -> Result<(), Failure> {
    let pdf = args.out.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    results::check_output(&args.out, if pdf { ExportFormat::Pdf } else { ExportFormat::Report })?;
    let archives = args.archives.iter().map(|p| results::read_archive(p)).collect::<Result<Vec<_>, _>>()?;
    let report = results::rollup::rollup(&archives)?;
    let bytes = if pdf { results::pdf::pdf(&report)? } else { results::report::html(&report).into_bytes() };
    results::write_atomic(&args.out, &bytes)?;
    Ok(())
}

/// Prints one line per format (milliseconds to read the workshop, render and write;
/// wall clock and this process's CPU time, which other work on the machine does not
/// inflate), the total, and where the time goes; the budget is 2 s for 2,000
/// participants (release build).
fn bench_export(args: BenchExportArgs) -> Result<(), Failure> {
    let temp = tempfile_dir(args.dir.as_deref())?;
    let dir = temp.as_path();
    let system = |e: ApiError| Failure::System(e.message);
    let t = Instant::now();
    let mut store = api::open_store(&dir.join("bench.db")).map_err(system)?;
    let id = results::bench::build_workshop(&mut store, args.participants, args.units, args.seed).map_err(|e| system(e.into()))?;
    println!("built: {} participants, {} units in {:.0} ms", args.participants, args.units, t.elapsed().as_secs_f64() * 1e3);
    let (mut total, mut total_cpu) = (0.0, 0.0);
    println!("{:<8} {:>10} {:>10} {:>10}", "format", "wall_ms", "cpu_ms", "bytes");
    for format in ExportFormat::ALL {
        let out = dir.join(format!("export-{}{}", format.as_str(), format.extension()));
        let (t, cpu) = (Instant::now(), cpu_ms());
        results::export(&store, id, format, &out, results::ExportOptions::default())?;
        let (ms, cpu) = (t.elapsed().as_secs_f64() * 1e3, cpu_ms() - cpu);
        total += ms;
        total_cpu += cpu;
        println!("{:<8} {:>10.1} {:>10.1} {:>10}", format.as_str(), ms, cpu, size_of(&out));
    }
    println!("{:<8} {total:>10.1} {total_cpu:>10.1}   (budget 2000 ms)", "total");
    // Where the time goes (CPU ms): reading the workshop, the tables, the report's
    // blocks, and the two renderings of the report.
    let part = |f: &mut dyn FnMut()| {
        let cpu = cpu_ms();
        f();
        cpu_ms() - cpu
    };
    let mut archive = None;
    let read = part(&mut || archive = store.load_archive(id).ok());
    let archive = archive.ok_or_else(|| Failure::System("the benchmark workshop cannot be read".into()))?;
    let tables = part(&mut || drop(results::tables::tables(&archive)));
    let mut report = None;
    let blocks = part(&mut || report = Some(results::report::workshop_report(&archive)));
    let report = report.expect("built above");
    let html = part(&mut || drop(results::report::html(&report)));
    let pdf = part(&mut || drop(results::pdf::pdf(&report)));
    println!("parts (cpu ms): read {read:.1}, tables {tables:.1}, report blocks {blocks:.1}, html {html:.1}, pdf {pdf:.1}");
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

/// CPU time this process has used, in ms (user + system).
#[cfg(unix)]
fn cpu_ms() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes into the struct it is given.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

#[cfg(not(unix))]
fn cpu_ms() -> f64 {
    0.0
}

/// `dir`, created if missing, or a fresh folder under the system's temporary folder.
fn tempfile_dir(dir: Option<&Path>) -> Result<PathBuf, Failure> {
    let dir = match dir {
        Some(d) => d.to_path_buf(),
        None => std::env::temp_dir().join(format!("ripple-bench-export-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Failure::Input(format!("{}: {e}", dir.display())))?;
    Ok(dir)
}

/// Bytes of a file, or of the files in a folder.
fn size_of(path: &Path) -> u64 {
    if path.is_dir() {
        std::fs::read_dir(path).map(|d| d.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum()).unwrap_or(0)
    } else {
        std::fs::metadata(path).map_or(0, |m| m.len())
    }
}

fn serve(args: ServeArgs) -> Result<(), Failure> {
    use ripple::participants::Round;
    use ripple::server::{lan, limits::Limits, ParticipantServer};
    use ripple::session::SessionCommand;
    if !args.db.exists() {
        return Err(Failure::Input(format!("no database at {}", args.db.display())));
    }
    let session = api::start_session(&args.db, args.workshop)?;
    if args.open_rounds {
        for round in Round::ALL {
            session.apply(SessionCommand::OpenRound { round })?;
        }
    }
    if !args.game.is_empty() {
        session.apply(SessionCommand::StartGameRound { incidents: args.game.clone() })?;
    }
    if let Some(template) = &args.cycle {
        let known = ripple::cycle::templates().into_iter().find(|t| t.id == *template);
        let template = known.ok_or_else(|| Failure::Input(format!("--cycle: no template '{template}' (try repair-call, training-course, hospital-visit, insurance-claim, first-month)")))?;
        let existing = session.state()?.cycles.into_iter().find(|c| c.name == template.cycle.name);
        let id = match existing {
            Some(cycle) => cycle.id,
            None => match session.apply(SessionCommand::AddCycleFromTemplate { template: template.id.clone() })? {
                ripple::session::SessionEvent::CyclesChanged { cycles, .. } => cycles.last().map_or(0, |c| c.id),
                _ => 0,
            },
        };
        session.apply(SessionCommand::WalkCycle { cycle: Some(id), stage: None })?;
        session.apply(SessionCommand::StepCycle { forward: true })?;
    }
    let server = match args.bind {
        Some(bind) => ParticipantServer::start_on(session.handle(), bind.ip(), Some(bind.port()), Limits::classroom()),
        None => {
            let ip = lan::best_address().ip.parse().map_err(|_| Failure::System("no usable network address".into()))?;
            ParticipantServer::start_on(session.handle(), ip, None, Limits::classroom())
        }
    }
    .map_err(|e| Failure::System(e.message))?;
    let code = session.participation()?.code;
    let join = server.join_info(&code)?;
    println!("Join: {}", join.url);
    println!("Code: {code}");
    println!("Serving workshop {} on {}; Ctrl+C stops.", args.workshop, server.local_addr());
    let _ = std::io::stdout().flush();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| Failure::System(e.to_string()))?;
    runtime.block_on(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    server.stop();
    Ok(())
}

fn loadtest(args: LoadtestArgs) -> Result<(), Failure> {
    if args.participants == 0 || args.participants > 20_000 {
        return Err(Failure::Input(format!("--participants {} is out of range (1 to 20000)", args.participants)));
    }
    if !(args.burst_seconds.is_finite() && args.burst_seconds >= 0.0 && args.burst_seconds <= 600.0) {
        return Err(Failure::Input(format!("--burst-seconds {} is out of range (0 to 600)", args.burst_seconds)));
    }
    let report = ripple::loadtest::run(args.participants, std::time::Duration::from_secs_f64(args.burst_seconds))?;
    for error in report.errors.iter().take(5) {
        eprintln!("ripple loadtest: {error}");
    }
    println!("answers each: {}; ratings on the projector: {}", ripple::loadtest::ANSWERS_EACH, report.ratings_on_projector);
    println!("{report}");
    Ok(())
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Prints one JSON line of figures: load, index, per-incident median, analysis.
fn bench_impact(args: BenchArgs) -> Result<(), Failure> {
    let t = Instant::now();
    let map = load(&args.map)?;
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let graph = EngineGraph::new(&map);
    let index_ms = t.elapsed().as_secs_f64() * 1e3;
    let sources: Vec<String> = if args.incidents.is_empty() {
        let mut support: Vec<&str> =
            map.units.iter().filter(|u| u.kind == ripple::org::UnitKind::Support).map(|u| u.id.as_str()).collect();
        support.sort_unstable();
        support.into_iter().take(args.count).map(str::to_owned).collect()
    } else {
        args.incidents.clone()
    };
    let mut per_incident = Vec::new();
    let mut hits = Vec::new();
    let mut pass_only = Vec::new();
    for unit in &sources {
        let incident = [Incident::new(unit.clone(), 1.0, ripple::engine::IncidentKind::Late)];
        let mut times = Vec::new();
        let mut count = 0;
        for _ in 0..args.repeat.max(1) {
            let t = Instant::now();
            let result = graph.impact(&incident, args.epsilon)?;
            times.push(t.elapsed().as_secs_f64() * 1e3);
            count = result.hits.len();
        }
        per_incident.push(median(times));
        hits.push(count);
        // The bare pass, without assembling the result (ids, chains, sorting).
        let v = graph.index_of(unit).ok_or_else(|| Failure::Input(format!("unknown unit '{unit}'")))?;
        let mut times = Vec::new();
        for _ in 0..args.repeat.max(1) {
            let t = Instant::now();
            std::hint::black_box(graph.strongest_chains(v, 1.0, args.epsilon, ripple::engine::Direction::Forward));
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        pass_only.push(median(times));
    }
    let analysis_ms = if args.analyze {
        let t = Instant::now();
        analysis::analyze_graph(&graph, args.epsilon)?;
        Some(t.elapsed().as_secs_f64() * 1e3)
    } else {
        None
    };
    let mean = per_incident.iter().sum::<f64>() / per_incident.len().max(1) as f64;
    print_json(&serde_json::json!({
        "units": graph.len(),
        "links": graph.link_count(),
        "load_ms": load_ms,
        "index_ms": index_ms,
        "incidents": sources,
        "hits": hits,
        "incident_ms": per_incident,
        "mean_incident_ms": mean,
        "mean_pass_ms": pass_only.iter().sum::<f64>() / pass_only.len().max(1) as f64,
        "analysis_ms": analysis_ms,
    }))
}

/// Change `n` renames a unit (two changes in three) or retitles an activity to
/// "change n", in a slot fixed by `n`; it resumes after the highest number stored, so
/// whoever kills it can check that every number it printed is there (or overwritten
/// by a later one in the same slot).
fn torture(args: TortureArgs) -> Result<(), Failure> {
    use ripple::session::SessionCommand;
    let session = api::start_session(&args.db, args.workshop)?;
    let state = session.state()?;
    let (units, activities) = (state.map.units, state.agenda.activities);
    if units.is_empty() || activities.is_empty() {
        return Err(Failure::Input("the workshop needs at least one unit and one activity".to_owned()));
    }
    let number = |text: &str| text.strip_prefix("change ").and_then(|n| n.parse::<u64>().ok());
    let start = units.iter().map(|u| &u.name).chain(activities.iter().map(|a| &a.title)).filter_map(|t| number(t)).max().unwrap_or(0) + 1;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for n in (start..).take(args.count.map_or(usize::MAX, |c| c as usize)) {
        let command = if n.is_multiple_of(3) {
            let a = &activities[(n / 3) as usize % activities.len()];
            SessionCommand::UpdateActivity { id: a.id, activity: ripple::agenda::ActivityDraft { title: format!("change {n}"), ..a.draft() } }
        } else {
            let u = &units[n as usize % units.len()];
            SessionCommand::UpdateUnit { id: u.id.clone(), unit: ripple::org::Unit { name: format!("change {n}"), ..u.clone() } }
        };
        session.apply(command)?;
        writeln!(out, "{n}").and_then(|_| out.flush()).map_err(|e| Failure::System(e.to_string()))?;
    }
    Ok(())
}
