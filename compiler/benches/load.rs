//! Benchmark of the front end against hcl-edit alone, on synthetic topologies (`gatehouse::synth`).
//!
//! For each N (APIs of 10 operations each) it writes the topology to a temporary directory once,
//! then times, interleaved so that both see the same machine noise:
//! - **bare parse**: read every `.hcl` file and `hcl_edit::parser::parse_body` it;
//! - **load+model**: `gatehouse::load::load` on an `FsWorld` (read, parse, evaluate, build the
//!   model, sort diagnostics), which must report no diagnostic;
//! - the stages of load separately: `syntax::load_tree`, `eval::evaluate`, dropping the syntax
//!   trees (which `load` does last), `model::build`; and, for comparison, dropping the trees of
//!   the bare parse;
//! - **check**: load, then `load::check` (certificates, graph, every check);
//! - **compile**: load, check, plan and emit every target (`gatehouse compile` without the
//!   writes).
//!
//! It prints median and minimum of each. The target (docs/performance.md): load+model at most
//! 2× bare parse, and time per API constant in N.
//!
//! `cargo bench -p gatehouse --bench load` runs N = 100, 1000, 10000; `-- 100 1000` picks N.
//! Without `--bench` (which only `cargo bench` passes, e.g. under `cargo test --benches`) it runs
//! one small round as a smoke test. It is a benchmark, never a timed test: nothing here fails on
//! a slow machine.

use gatehouse::eval::{self, Options};
use gatehouse::load::load;
use gatehouse::model;
use gatehouse::syntax::{self, FsWorld, Tree};
use gatehouse::synth;
use std::path::Path;
use std::time::{Duration, Instant};

// The allocator of the `gatehouse` binary, so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DEFAULT_SIZES: [usize; 3] = [100, 1_000, 10_000];

/// Samples per measurement: enough for a stable median, bounded by a time budget per N.
const MIN_SAMPLES: usize = 5;
const MAX_SAMPLES: usize = 30;
const BUDGET: Duration = Duration::from_secs(6);

/// The clock of the full `check` (graph, certificates, every check): 2026-06-01.
const CHECK_NOW: i64 = 1_780_272_000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let benchmarking = args.iter().any(|a| a == "--bench");
    let mut sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if sizes.is_empty() {
        sizes = if benchmarking {
            DEFAULT_SIZES.to_vec()
        } else {
            vec![10]
        };
    }
    let samples = if benchmarking { None } else { Some(1) };

    let mut rows = Vec::new();
    for &apis in &sizes {
        let dir = tempfile::tempdir().expect("temporary directory");
        let (files, bytes) = write_topology(dir.path(), apis);
        rows.push(measure(dir.path(), apis, files, bytes, samples));
    }
    print_tables(&rows);
}

/// Writes `synth::topology(apis)` and its CA chain under `dir`: (hcl files, hcl bytes).
fn write_topology(dir: &Path, apis: usize) -> (usize, usize) {
    let topology = synth::topology(apis);
    let certs = dir.join(synth::CA_CHAIN_PATH);
    std::fs::create_dir_all(certs.parent().expect("certs directory")).expect("create certs/");
    std::fs::write(
        &certs,
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
    )
    .expect("write the CA chain");
    let mut bytes = 0;
    for (name, text) in &topology {
        std::fs::write(dir.join(name), text).expect("write a topology file");
        bytes += text.len();
    }
    (topology.len(), bytes)
}

struct Row {
    apis: usize,
    files: usize,
    bytes: usize,
    samples: usize,
    bare: Stats,
    load: Stats,
    check: Stats,
    /// `gatehouse compile` as a library call: load, check, plan and emit every target.
    compile: Stats,
    bare_drop: Stats,
    load_tree: Stats,
    evaluate: Stats,
    drop_trees: Stats,
    build: Stats,
    /// Stages of compile after the checks: plan, Terraform, Bicep.
    plan: Stats,
    terraform: Stats,
    bicep: Stats,
}

/// Median and minimum of some timings.
#[derive(Clone, Copy)]
struct Stats {
    median: Duration,
    min: Duration,
}

impl Stats {
    fn of(mut times: Vec<Duration>) -> Stats {
        times.sort();
        Stats {
            median: times[times.len() / 2],
            min: times[0],
        }
    }
}

fn measure(dir: &Path, apis: usize, files: usize, bytes: usize, samples: Option<usize>) -> Row {
    let world = FsWorld::new(dir);
    // The first round warms the page cache and the allocator, checks that the topology is
    // clean, and sizes the number of samples.
    let started = Instant::now();
    bare_parse(dir);
    let loaded = load(&world, "", &Options::default());
    let first_round = started.elapsed();
    assert!(
        loaded.diagnostics.is_empty(),
        "the synthetic topology of {apis} APIs has {} diagnostics; the first: {}",
        loaded.diagnostics.len(),
        loaded.diagnostics[0].message
    );
    assert_eq!(loaded.model.apis.len(), apis);
    assert_eq!(
        loaded.model.operations.len(),
        apis * synth::OPERATIONS_PER_API
    );
    drop(loaded);

    // One sample is a bare parse, a load, and the stages timed one by one.
    let per_sample = first_round * 2;
    let samples = samples.unwrap_or_else(|| {
        let fit = BUDGET.as_nanos() / per_sample.as_nanos().max(1);
        (fit as usize).clamp(MIN_SAMPLES, MAX_SAMPLES)
    });
    let mut times: [Vec<Duration>; 12] = Default::default();
    for _ in 0..samples {
        let started = Instant::now();
        let bodies = std::hint::black_box(bare_parse(dir));
        times[0].push(started.elapsed());
        times[1].push(time(|| drop(bodies)));
        times[2].push(time(|| load(&world, "", &Options::default())));
        times[7].push(time(|| {
            let loaded = load(&world, "", &Options::default());
            let diagnostics = gatehouse::load::check(&loaded, &world, CHECK_NOW);
            (loaded, diagnostics)
        }));
        times[8].push(compile(&world));
        for (all, stage) in times[3..7].iter_mut().zip(stages(&world)) {
            all.push(stage);
        }
        for (all, stage) in times[9..].iter_mut().zip(emit_stages(&world)) {
            all.push(stage);
        }
    }
    let [bare, bare_drop, full, load_tree, evaluate, drop_trees, build, check, compile, plan, terraform, bicep] =
        times.map(Stats::of);
    Row {
        apis,
        files,
        bytes,
        samples,
        bare,
        bare_drop,
        load: full,
        check,
        compile,
        load_tree,
        evaluate,
        drop_trees,
        build,
        plan,
        terraform,
        bicep,
    }
}

/// `gatehouse compile` as a library call, without the writes: load, graph, checks, plan and
/// every target. What it returns is dropped outside the timing, as the CLI exits with it.
fn compile(world: &FsWorld) -> Duration {
    let started = Instant::now();
    let loaded = load(world, "", &Options::default());
    let graph = gatehouse::graph::Graph::new(&loaded.model);
    let diagnostics = gatehouse::load::check_on_graph(&loaded, &graph, world, CHECK_NOW, None);
    let emitted = gatehouse::emit::emit(
        &loaded.model,
        &graph,
        world,
        &gatehouse::emit::Target::DEPLOY,
    );
    let elapsed = started.elapsed();
    std::hint::black_box((&diagnostics, &emitted));
    elapsed
}

/// The emitting stages one at a time: plan, Terraform, Bicep.
fn emit_stages(world: &FsWorld) -> [Duration; 3] {
    let loaded = load(world, "", &Options::default());
    let graph = gatehouse::graph::Graph::new(&loaded.model);
    let started = Instant::now();
    let plan = gatehouse::emit::plan::plan(&loaded.model, &graph);
    let planned = started.elapsed();
    let started = Instant::now();
    let terraform = std::hint::black_box(gatehouse::emit::terraform::emit(&plan));
    let terraformed = started.elapsed();
    let started = Instant::now();
    let bicep = std::hint::black_box(gatehouse::emit::bicep::emit(&plan));
    let biceped = started.elapsed();
    drop((terraform, bicep));
    [planned, terraformed, biceped]
}

/// Runs `f` and returns how long it took; its result is dropped outside the timing, as a
/// caller of `load` keeps what it returns.
fn time<T>(f: impl FnOnce() -> T) -> Duration {
    let started = Instant::now();
    let result = std::hint::black_box(f());
    let elapsed = started.elapsed();
    drop(result);
    elapsed
}

/// What `gatehouse::load::load` does, one stage at a time: load_tree, evaluate, dropping the
/// syntax trees, build (`load` builds before it drops the trees).
fn stages(world: &FsWorld) -> [Duration; 4] {
    let mut diagnostics = Vec::new();
    let started = Instant::now();
    let tree = syntax::load_tree(world, "", &mut diagnostics);
    let load_tree = started.elapsed();
    let started = Instant::now();
    let evaluated = eval::evaluate(&tree, world, &Options::default(), &mut diagnostics);
    let evaluate = started.elapsed();
    // `load` drops them at its end, when `tree`, partly moved, goes out of scope.
    let Tree {
        mut sources,
        instances,
    } = tree;
    let drop_trees = time(|| drop(instances));
    let started = Instant::now();
    let model = model::build(evaluated, &mut sources, world, &mut diagnostics);
    let build = started.elapsed();
    assert!(
        diagnostics.is_empty(),
        "the stages report what load did not"
    );
    drop(std::hint::black_box(model));
    [load_tree, evaluate, drop_trees, build]
}

/// Reads and parses every `.hcl` file of `dir` with hcl-edit, and nothing else.
fn bare_parse(dir: &Path) -> Vec<hcl_edit::structure::Body> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("read the topology directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "hcl"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).expect("read a topology file");
            hcl_edit::parser::parse_body(&text).expect("synthetic HCL parses")
        })
        .collect()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn print_tables(rows: &[Row]) {
    println!("front end vs bare hcl-edit parse (median / min of the samples, ms)");
    println!();
    println!(
        "{:>6} {:>5} {:>11} {:>7} {:>19} {:>19} {:>6} {:>8}",
        "N", "files", "bytes", "samples", "bare parse", "load+model", "ratio", "µs/API"
    );
    for r in rows {
        println!(
            "{:>6} {:>5} {:>11} {:>7} {:>9.2} / {:>7.2} {:>9.2} / {:>7.2} {:>5.2}× {:>8.1}",
            r.apis,
            r.files,
            r.bytes,
            r.samples,
            ms(r.bare.median),
            ms(r.bare.min),
            ms(r.load.median),
            ms(r.load.min),
            r.load.median.as_secs_f64() / r.bare.median.as_secs_f64(),
            r.load.median.as_secs_f64() * 1e6 / r.apis as f64,
        );
    }
    ratio_table(
        rows,
        "full check (load + certificates + graph + every check)",
        "check",
        |r| r.check,
    );
    ratio_table(
        rows,
        "compile (load + check + plan + every target)",
        "compile",
        |r| r.compile,
    );
    println!();
    println!("stages of compile after the checks (median ms)");
    println!();
    println!(
        "{:>6} {:>10} {:>10} {:>10}",
        "N", "plan", "terraform", "bicep"
    );
    for r in rows {
        println!(
            "{:>6} {:>10.2} {:>10.2} {:>10.2}",
            r.apis,
            ms(r.plan.median),
            ms(r.terraform.median),
            ms(r.bicep.median)
        );
    }
    println!();
    println!("stages of load+model (median ms, and share of their sum), and the bare parse's drop");
    println!();
    println!(
        "{:>6} {:>17} {:>17} {:>17} {:>17} {:>11} {:>12}",
        "N",
        "syntax::load_tree",
        "eval::evaluate",
        "drop trees",
        "model::build",
        "bare drop",
        "ratio w/drop"
    );
    for r in rows {
        let stages = [r.load_tree, r.evaluate, r.drop_trees, r.build];
        let sum: f64 = stages.iter().map(|s| ms(s.median)).sum();
        let cell = |s: &Stats| format!("{:.2} ({:.0}%)", ms(s.median), 100.0 * ms(s.median) / sum);
        let [t, e, d, b] = stages.map(|s| cell(&s));
        let with_drop = ms(r.load.median) / (ms(r.bare.median) + ms(r.bare_drop.median));
        println!(
            "{:>6} {t:>17} {e:>17} {d:>17} {b:>17} {:>11.2} {:>11.2}×",
            r.apis,
            ms(r.bare_drop.median),
            with_drop
        );
    }
}

/// A table of one measurement against the bare parse.
fn ratio_table(rows: &[Row], title: &str, column: &str, pick: fn(&Row) -> Stats) {
    println!();
    println!("{title} vs bare parse (median / min, ms)");
    println!();
    println!("{:>6} {:>19} {:>6} {:>8}", "N", column, "ratio", "µs/API");
    for r in rows {
        let stats = pick(r);
        println!(
            "{:>6} {:>9.2} / {:>7.2} {:>5.2}× {:>8.1}",
            r.apis,
            ms(stats.median),
            ms(stats.min),
            stats.median.as_secs_f64() / r.bare.median.as_secs_f64(),
            stats.median.as_secs_f64() * 1e6 / r.apis as f64,
        );
    }
}
