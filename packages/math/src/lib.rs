//! placeholder crate root; replaced by the math work
