//! Reads `third_party/pins.toml`: a list of `[[artifact]]` tables of `key = "string"`
//! pairs (the only TOML this file uses, so a few lines parse it).

use crate::Result;
use std::collections::BTreeMap;
use std::path::Path;

/// One pinned file.
#[derive(Debug, Clone)]
pub struct Artifact {
    fields: BTreeMap<String, String>,
}

impl Artifact {
    /// A required field.
    pub fn get(&self, key: &str) -> Result<&str> {
        self.fields
            .get(key)
            .map(String::as_str)
            .ok_or_else(|| format!("pins.toml: an artifact lacks `{key}`"))
    }

    /// An optional field.
    pub fn opt(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }
}

/// Parses the pin file.
pub fn load(path: &Path) -> Result<Vec<Artifact>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub(crate) fn parse(text: &str) -> Result<Vec<Artifact>> {
    let mut out: Vec<Artifact> = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[[artifact]]" {
            out.push(Artifact {
                fields: BTreeMap::new(),
            });
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: expected `key = \"value\"`", n + 1))?;
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .ok_or_else(|| format!("line {}: the value must be a quoted string", n + 1))?;
        let current = out
            .last_mut()
            .ok_or_else(|| format!("line {}: a key outside of [[artifact]]", n + 1))?;
        current
            .fields
            .insert(key.trim().to_string(), value.to_string());
    }
    Ok(out)
}

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
