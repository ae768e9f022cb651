//! GraphML, for graph tools (yEd, Gephi, Cytoscape, NetworkX): one node per unit,
//! one edge per service link, the attributes as declared `<key>`s.

use std::collections::HashMap;
use std::fmt::Write;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::mapio::MapIoError;
use crate::org::{OrgMap, ServiceLink, Unit, UnitKind, MAP_FORMAT_VERSION};

const NODE_KEYS: [(&str, &str); 3] = [("name", "string"), ("kind", "string"), ("weight", "double")];
const EDGE_KEYS: [(&str, &str); 6] =
    [("service", "string"), ("strength", "double"), ("lag", "double"), ("quality", "string"), ("time", "string"), ("delivery", "string")];

/// Escapes text for an XML attribute or element.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if (c as u32) < 0x20 => {} // not representable in XML 1.0
            c => out.push(c),
        }
    }
    out
}

pub fn to_string(map: &OrgMap) -> String {
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n");
    for (name, ty) in NODE_KEYS {
        let _ = writeln!(x, "  <key id=\"{name}\" for=\"node\" attr.name=\"{name}\" attr.type=\"{ty}\"/>");
    }
    for (name, ty) in EDGE_KEYS {
        let _ = writeln!(x, "  <key id=\"{name}\" for=\"edge\" attr.name=\"{name}\" attr.type=\"{ty}\"/>");
    }
    let _ = writeln!(x, "  <graph id=\"{}\" edgedefault=\"directed\">", escape(&map.name));
    for u in &map.units {
        let _ = writeln!(
            x,
            "    <node id=\"{}\"><data key=\"name\">{}</data><data key=\"kind\">{}</data><data key=\"weight\">{}</data></node>",
            escape(&u.id),
            escape(&u.name),
            u.kind.as_str(),
            u.weight
        );
    }
    for l in &map.links {
        let _ = write!(x, "    <edge source=\"{}\" target=\"{}\">", escape(&l.provider), escape(&l.customer));
        for (key, value) in [("service", &l.service), ("quality", &l.quality), ("time", &l.time), ("delivery", &l.delivery)] {
            if key == "quality" {
                let _ = write!(x, "<data key=\"strength\">{}</data><data key=\"lag\">{}</data>", l.strength, l.lag);
            }
            let _ = write!(x, "<data key=\"{key}\">{}</data>", escape(value));
        }
        x.push_str("</edge>\n");
    }
    x.push_str("  </graph>\n</graphml>\n");
    x
}

fn attribute(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.as_ref() == name).and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok()).map(|v| v.into_owned())
}

/// What has been read so far.
#[derive(Default)]
struct State {
    units: Vec<Unit>,
    links: Vec<ServiceLink>,
    /// The open node (its id) or edge ("source\ttarget"), its data, its line.
    element: Option<(String, HashMap<String, String>, u64)>,
    data_key: Option<String>,
    value: String,
}

impl State {
    fn end(&mut self, tag: &str, file: &str) -> Result<(), MapIoError> {
        match tag {
            "data" => {
                if let (Some(key), Some((_, data, _))) = (self.data_key.take(), self.element.as_mut()) {
                    data.insert(key, self.value.trim().to_owned());
                }
            }
            "node" => {
                let (id, data, line) = self.element.take().unwrap_or_default();
                let kind_text = data.get("kind").map_or("", String::as_str);
                let kind = UnitKind::parse(kind_text).ok_or_else(|| MapIoError::Syntax {
                    file: file.to_owned(),
                    line,
                    message: format!("node '{id}': kind '{kind_text}' must be external, frontline or support"),
                })?;
                let weight = parse_number(data.get("weight"), 1.0, "weight", &id, file, line)?;
                self.units.push(Unit { name: data.get("name").cloned().unwrap_or_else(|| id.clone()), id, kind, weight });
            }
            "edge" => {
                let (ends, data, line) = self.element.take().unwrap_or_default();
                let (provider, customer) = ends.split_once('\t').unwrap_or_default();
                let label = format!("{provider} → {customer}");
                let text = |k: &str| data.get(k).cloned().unwrap_or_default();
                self.links.push(ServiceLink {
                    provider: provider.to_owned(),
                    customer: customer.to_owned(),
                    service: text("service"),
                    strength: parse_number(data.get("strength"), f64::NAN, "strength", &label, file, line)?,
                    lag: parse_number(data.get("lag"), 0.0, "lag", &label, file, line)?,
                    quality: text("quality"),
                    time: text("time"),
                    delivery: text("delivery"),
                });
            }
            _ => {}
        }
        Ok(())
    }
}

/// Reads a GraphML map as [`to_string`] writes it (keys are matched by `attr.name`,
/// so files from other tools load if they use the same attribute names).
pub fn from_str(text: &str, file: &str) -> Result<OrgMap, MapIoError> {
    let line_of = |pos: u64| text.as_bytes()[..(pos as usize).min(text.len())].iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let mut reader = Reader::from_str(text);
    let mut keys: HashMap<String, String> = HashMap::new(); // key id → attribute name
    let mut name = String::new();
    let mut state = State::default();
    loop {
        let position = reader.buffer_position();
        let syntax = |message: String| MapIoError::Syntax { file: file.to_owned(), line: line_of(position), message };
        let event = reader
            .read_event()
            .map_err(|e| MapIoError::Syntax { file: file.to_owned(), line: line_of(reader.error_position()), message: e.to_string() })?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let tag = e.local_name().as_ref().to_owned();
                match tag.as_str() {
                    "key" => {
                        if let (Some(id), Some(attr)) = (attribute(e, "id"), attribute(e, "attr.name")) {
                            keys.insert(id, attr);
                        }
                    }
                    "graph" => name = attribute(e, "id").unwrap_or_default(),
                    "node" => {
                        let id = attribute(e, "id").ok_or_else(|| syntax("a node has no id".into()))?;
                        state.element = Some((id, HashMap::new(), line_of(position)));
                    }
                    "edge" => {
                        let s = attribute(e, "source").ok_or_else(|| syntax("an edge has no source".into()))?;
                        let t = attribute(e, "target").ok_or_else(|| syntax("an edge has no target".into()))?;
                        state.element = Some((format!("{s}\t{t}"), HashMap::new(), line_of(position)));
                    }
                    "data" => {
                        let key = attribute(e, "key").ok_or_else(|| syntax("a data element has no key".into()))?;
                        state.data_key = Some(keys.get(&key).cloned().unwrap_or(key));
                        state.value.clear();
                    }
                    _ => {}
                }
                if matches!(event, Event::Empty(_)) {
                    state.end(&tag, file)?;
                }
            }
            Event::Text(t) => state.value.push_str(&t.xml10_content()),
            Event::CData(t) => state.value.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => match r.resolve_char_ref() {
                Ok(Some(c)) => state.value.push(c),
                _ => {
                    let entity = r.into_inner();
                    let resolved = quick_xml::escape::resolve_predefined_entity(&entity)
                        .ok_or_else(|| syntax(format!("unknown entity '&{entity};'")))?;
                    state.value.push_str(resolved);
                }
            },
            Event::End(e) => state.end(e.local_name().as_ref(), file)?,
            Event::Eof => break,
            _ => {}
        }
    }
    let map = OrgMap { version: MAP_FORMAT_VERSION, name, units: state.units, links: state.links };
    map.validate().map_err(|source| MapIoError::Invalid { file: file.to_owned(), source })?;
    Ok(map)
}

fn parse_number(text: Option<&String>, default: f64, what: &str, owner: &str, file: &str, line: u64) -> Result<f64, MapIoError> {
    match text {
        None => Ok(default),
        Some(t) if t.is_empty() => Ok(default),
        Some(t) => t
            .parse()
            .map_err(|_| MapIoError::Syntax { file: file.to_owned(), line, message: format!("{owner}: {what} '{t}' is not a number") }),
    }
}
