//! The front half of the pipeline in one call: read, parse, evaluate and build the model.

use crate::diagnostics::{self, Diagnostic};
use crate::eval::{self, Options};
use crate::model::{self, Model};
use crate::source::Sources;
use crate::syntax::{self, Tree, World};

/// A loaded topology: its sources, its model, and every diagnostic found on the way, sorted.
#[derive(Debug)]
pub struct Loaded {
    pub sources: Sources,
    pub model: Model,
    pub diagnostics: Vec<Diagnostic>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads the topology in directory `root` of `world` (`""` for the world's root).
pub fn load(world: &dyn World, root: &str, options: &Options) -> Loaded {
    let mut diagnostics = Vec::new();
    let tree = syntax::load_tree(world, root, &mut diagnostics);
    let evaluated = eval::evaluate(&tree, world, options, &mut diagnostics);
    // The syntax trees are the largest structure of a load; free them before the model grows.
    let Tree {
        mut sources,
        instances,
    } = tree;
    drop(instances);
    let model = model::build(evaluated, &mut sources, world, &mut diagnostics);
    diagnostics::sort(&mut diagnostics, &sources);
    Loaded {
        sources,
        model,
        diagnostics,
    }
}

/// Inspects the certificates, builds the graph and runs every check on a loaded topology;
/// returns all diagnostics (the loader's and the checks'), sorted. `now` is seconds since the
/// Unix epoch.
pub fn check(loaded: &Loaded, world: &dyn World, now: i64) -> Vec<Diagnostic> {
    check_change(loaded, world, now, None)
}

/// [`check`], judging the topology also as a change from `baseline`, the previously deployed
/// version (see [`crate::baseline`]).
pub fn check_change(
    loaded: &Loaded,
    world: &dyn World,
    now: i64,
    baseline: Option<&crate::baseline::Baseline>,
) -> Vec<Diagnostic> {
    let graph = crate::graph::Graph::new(&loaded.model);
    check_on_graph(loaded, &graph, world, now, baseline)
}

/// [`check_change`] on a graph the caller built from `loaded.model` and keeps (compile hands
/// the same graph to the emitters).
pub fn check_on_graph(
    loaded: &Loaded,
    graph: &crate::graph::Graph,
    world: &dyn World,
    now: i64,
    baseline: Option<&crate::baseline::Baseline>,
) -> Vec<Diagnostic> {
    let inventory = crate::certs::inspect(&loaded.model, world);
    let cx = crate::checks::CheckContext {
        model: &loaded.model,
        sources: &loaded.sources,
        graph,
        certs: &inventory,
        now,
        baseline,
    };
    let mut all = loaded.diagnostics.clone();
    all.extend(crate::checks::run(&cx));
    crate::model::complete_traces(&loaded.model, &mut all);
    diagnostics::sort(&mut all, &loaded.sources);
    all
}

/// The baseline of a loaded topology: the previous version, for [`check_change`].
pub fn baseline(loaded: &Loaded) -> crate::baseline::Baseline {
    let graph = crate::graph::Graph::new(&loaded.model);
    crate::baseline::Baseline::of(&loaded.model, &graph)
}
