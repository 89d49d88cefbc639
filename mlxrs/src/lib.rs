//! mlxrs
