//! Reads `third_party/pins.toml`, with the parser that mlxrs-sys's build script uses
//! (`mlxrs-sys/build/fetch.rs`, included as [`crate::fetch`]).

#[cfg(test)]
pub use crate::fetch::parse;
pub use crate::fetch::{Artifact, load};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tables_and_rejects_bare_values() {
        let a =
            parse("# c\n[[artifact]]\nname = \"x\"\nsha256 = \"ab\"\n[[artifact]]\nname = \"y\"\n")
                .unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].get("sha256").unwrap(), "ab");
        assert!(a[1].get("sha256").is_err());
        assert!(parse("[[artifact]]\nname = x\n").is_err());
        assert!(parse("name = \"x\"\n").is_err());
    }

    #[test]
    fn the_committed_pins_name_every_required_field() {
        let pins = load(&crate::project_root().join("third_party/pins.toml")).unwrap();
        assert!(pins.len() >= 7);
        for a in &pins {
            for key in [
                "name", "version", "registry", "package", "file", "platform", "dir",
            ] {
                a.get(key).unwrap();
            }
            let sha = a.get("sha256").unwrap();
            assert!(
                sha.len() == 64 && sha.chars().all(|c| c.is_ascii_hexdigit()),
                "{sha}"
            );
        }
    }
}
