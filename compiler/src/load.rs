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
    let Tree { mut sources, .. } = tree;
    let model = model::build(evaluated, &mut sources, world, &mut diagnostics);
    diagnostics::sort(&mut diagnostics, &sources);
    Loaded {
        sources,
        model,
        diagnostics,
    }
}
