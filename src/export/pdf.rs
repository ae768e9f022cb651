//! The report as PDF, made in Rust with krilla: the same blocks as the HTML report,
//! laid out on A4 pages (text wrapped, tables with their header repeated on every
//! page, the bar charts and the map drawn as vector shapes). The font is DejaVu Sans,
//! embedded in the binary (`assets/fonts/`, licence beside it), so nothing is
//! fetched or looked up at run time.
//!
//! Layout first builds a display list per page (text runs, rectangles, lines,
//! triangles); drawing it with krilla is then a straight walk.

use std::collections::HashMap;

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use skrifa::MetadataProvider;

use super::report::{bars, kind_colour, Bars, Block, Report, Table, MAP_RADIUS, SERIES_COLOURS};
use super::ExportError;
use crate::layout;
use crate::org::OrgMap;

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 48.0;
const WIDTH: f32 = PAGE_W - 2.0 * MARGIN;
const BOTTOM: f32 = PAGE_H - MARGIN;
const BODY: f32 = 9.5;
const SMALL: f32 = 8.0;
const TEXT: &str = "#1d2430";
const MUTED: &str = "#4a5566";
const RULE: &str = "#d8dee8";

/// Glyph ids and advances (in ems) of the embedded font, looked up once per character.
struct Metrics {
    font: skrifa::FontRef<'static>,
    upem: f32,
    cache: HashMap<char, (u32, f32)>,
}

impl Metrics {
    fn new() -> Metrics {
        let font = skrifa::FontRef::new(FONT).expect("the embedded font parses");
        let upem = f32::from(font.metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default()).units_per_em);
        Metrics { font, upem, cache: HashMap::new() }
    }

    fn glyph(&mut self, c: char) -> (u32, f32) {
        if let Some(g) = self.cache.get(&c) {
            return *g;
        }
        let id = self.font.charmap().map(c).unwrap_or_default();
        let advance = self
            .font
            .glyph_metrics(skrifa::instance::Size::unscaled(), skrifa::instance::LocationRef::default())
            .advance_width(id)
            .unwrap_or(self.upem / 2.0)
            / self.upem;
        let g = (id.to_u32(), advance);
        self.cache.insert(c, g);
        g
    }

    fn width(&mut self, text: &str, size: f32) -> f32 {
        text.chars().map(|c| self.glyph(c).1).sum::<f32>() * size
    }

    /// `text` cut into lines no wider than `width` (at spaces; a word too long for a
    /// line is cut anywhere). Newlines are kept. Widths add up as it goes: each
    /// character is measured once.
    fn wrap(&mut self, text: &str, size: f32, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let space = self.glyph(' ').1 * size;
        for paragraph in text.split('\n') {
            let (mut line, mut line_w) = (String::new(), 0.0);
            for word in paragraph.split(' ') {
                let word_w = self.width(word, size);
                let joined = if line.is_empty() { word_w } else { line_w + space + word_w };
                if joined <= width {
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(word);
                    line_w = joined;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0.0;
                }
                if word_w <= width {
                    line.push_str(word);
                    line_w = word_w;
                    continue;
                }
                for c in word.chars() {
                    let w = self.glyph(c).1 * size;
                    if !line.is_empty() && line_w + w > width {
                        lines.push(std::mem::take(&mut line));
                        line_w = 0.0;
                    }
                    line.push(c);
                    line_w += w;
                }
            }
            lines.push(line);
        }
        lines
    }
}

#[derive(Debug, Clone)]
enum Op {
    Text { x: f32, y: f32, size: f32, colour: &'static str, text: String },
    Rect { x: f32, y: f32, w: f32, h: f32, colour: &'static str },
    Line { x1: f32, y1: f32, x2: f32, y2: f32, width: f32, colour: &'static str },
    Triangle { points: [(f32, f32); 3], colour: &'static str },
    Circle { x: f32, y: f32, r: f32, colour: &'static str },
}

struct Layout {
    m: Metrics,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn new() -> Layout {
        Layout { m: Metrics::new(), pages: vec![Vec::new()], y: MARGIN }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Starts a new page unless `height` still fits on this one.
    fn room(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > MARGIN {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, size: f32, colour: &'static str, text: &str) {
        let y = self.y + size;
        self.ops().push(Op::Text { x, y, size, colour, text: text.to_owned() });
    }

    fn paragraph(&mut self, text: &str, size: f32, indent: f32) {
        for line in self.m.wrap(text, size, WIDTH - indent) {
            self.room(size * 1.4);
            self.text(MARGIN + indent, size, TEXT, &line);
            self.y += size * 1.4;
        }
    }

    fn heading(&mut self, level: u8, text: &str) {
        let size = if level <= 1 { 15.0 } else { 12.0 };
        // Keep a heading with a few lines of what follows.
        self.room(size * 2.0 + 60.0);
        self.y += size * 0.8;
        self.paragraph(text, size, 0.0);
        if level <= 1 {
            let y = self.y + 1.0;
            self.ops().push(Op::Line { x1: MARGIN, y1: y, x2: MARGIN + WIDTH, y2: y, width: 1.2, colour: RULE });
        }
        self.y += size * 0.5;
    }

    fn table(&mut self, t: &Table) {
        if t.rows.is_empty() {
            self.paragraph("None.", BODY, 0.0);
            return;
        }
        let pad = 3.0;
        let widths = self.column_widths(t, pad);
        let line = SMALL * 1.3;
        let wrap_row = |layout: &mut Layout, cells: &[String]| -> Vec<Vec<String>> {
            cells.iter().zip(&widths).map(|(c, w)| layout.m.wrap(c, SMALL, w - 2.0 * pad)).collect()
        };
        let height_of = |wrapped: &[Vec<String>]| wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * line + 2.0 * pad;
        let draw_row = |layout: &mut Layout, wrapped: &[Vec<String>], header: bool| {
            let height = height_of(wrapped);
            if header {
                let y = layout.y;
                layout.ops().push(Op::Rect { x: MARGIN, y, w: WIDTH, h: height, colour: "#f1f4f8" });
            }
            let mut x = MARGIN;
            for (i, (cell, w)) in wrapped.iter().zip(&widths).enumerate() {
                let numeric = t.numeric.get(i).copied().unwrap_or(false);
                for (k, text) in cell.iter().enumerate() {
                    let tx = if numeric { x + w - pad - layout.m.width(text, SMALL) } else { x + pad };
                    let y = layout.y + pad + k as f32 * line;
                    layout.ops().push(Op::Text { x: tx, y: y + SMALL, size: SMALL, colour: TEXT, text: text.clone() });
                }
                x += w;
            }
            layout.y += height;
            let y = layout.y;
            layout.ops().push(Op::Line { x1: MARGIN, y1: y, x2: MARGIN + WIDTH, y2: y, width: 0.4, colour: RULE });
        };
        let header = wrap_row(self, &t.columns);
        self.room(4.0 * line);
        draw_row(self, &header, true);
        for row in &t.rows {
            let wrapped = wrap_row(self, row);
            // A row that would cross the bottom goes to a new page, under the header again.
            if self.y + height_of(&wrapped) > BOTTOM {
                self.new_page();
                draw_row(self, &header, true);
            }
            draw_row(self, &wrapped, false);
        }
        self.y += 8.0;
    }

    /// Numeric columns get their natural width; text columns share the rest in
    /// proportion to theirs (a sample of rows is enough to judge).
    fn column_widths(&mut self, t: &Table, pad: f32) -> Vec<f32> {
        let natural: Vec<f32> = (0..t.columns.len())
            .map(|i| {
                let cells = std::iter::once(&t.columns[i]).chain(t.rows.iter().take(200).filter_map(|r| r.get(i)));
                cells.map(|c| self.m.width(c, SMALL)).fold(0.0, f32::max).min(WIDTH) + 2.0 * pad
            })
            .collect();
        let total: f32 = natural.iter().sum();
        if total <= WIDTH {
            let extra = (WIDTH - total) / natural.len() as f32;
            return natural.iter().map(|w| w + extra).collect();
        }
        let numeric = |i: usize| t.numeric.get(i).copied().unwrap_or(false);
        let fixed: f32 = natural.iter().enumerate().filter(|(i, _)| numeric(*i)).map(|(_, w)| w).sum();
        let flexible: f32 = total - fixed;
        let share = ((WIDTH - fixed) / flexible.max(1.0)).max(0.0);
        natural.iter().enumerate().map(|(i, w)| if numeric(i) { *w } else { (w * share).max(36.0) }).collect()
    }

    fn bars(&mut self, b: &Bars) {
        // The HTML chart's geometry, scaled to the page width.
        let scale = (WIDTH as f64 / (bars::LABEL_WIDTH + bars::BAR_WIDTH + bars::VALUE_WIDTH)) as f32;
        let (label_w, bar_w, bar_h) = (bars::LABEL_WIDTH as f32 * scale, bars::BAR_WIDTH as f32 * scale, bars::BAR_HEIGHT as f32 * scale);
        let row = bars::row_height(b.series.len()) as f32 * scale;
        self.room(row * 3.0 + 30.0);
        self.y += 6.0;
        self.paragraph(&b.title, 10.5, 0.0);
        if b.series.len() > 1 {
            let mut x = MARGIN;
            for (i, s) in b.series.iter().enumerate() {
                let y = self.y + 1.0;
                self.ops().push(Op::Rect { x, y, w: 7.0, h: 7.0, colour: SERIES_COLOURS[i % 4] });
                self.text(x + 10.0, SMALL, MUTED, s);
                x += 20.0 + self.m.width(s, SMALL);
            }
            self.y += 12.0;
        }
        for (label, values) in &b.rows {
            self.room(row);
            let label = bars::label(label);
            let lw = self.m.width(&label, SMALL);
            let top = self.y;
            self.ops().push(Op::Text { x: MARGIN + label_w - 5.0 - lw, y: top + row / 2.0 + 2.5, size: SMALL, colour: TEXT, text: label });
            for (s, value) in values.iter().enumerate() {
                let y = top + s as f32 * bar_h;
                let w = value.map_or(0.0, |v| (v / b.max).clamp(0.0, 1.0) as f32 * bar_w);
                if w > 0.0 {
                    self.ops().push(Op::Rect { x: MARGIN + label_w, y, w, h: bar_h - 1.5, colour: SERIES_COLOURS[s % 4] });
                }
                let text = bars::value_text(*value, b.percent);
                self.ops().push(Op::Text { x: MARGIN + label_w + w + 3.0, y: y + bar_h - 2.5, size: SMALL - 1.0, colour: MUTED, text });
            }
            self.y += row;
        }
        self.y += 8.0;
    }

    fn map(&mut self, map: &OrgMap) {
        let layout = layout::layered(map);
        let scale = WIDTH / layout.width as f32;
        let height = layout.height as f32 * scale;
        self.room(height + 10.0);
        let (x0, y0) = (MARGIN, self.y);
        let at: HashMap<&str, (f32, f32)> =
            layout.nodes.iter().map(|n| (n.id.as_str(), (x0 + n.x as f32 * scale, y0 + n.y as f32 * scale))).collect();
        let r = (MAP_RADIUS as f32 * scale).max(3.0);
        for l in &map.links {
            let (Some(&(x1, y1)), Some(&(x2, y2))) = (at.get(l.provider.as_str()), at.get(l.customer.as_str())) else { continue };
            let (dx, dy) = (x2 - x1, y2 - y1);
            let len = (dx * dx + dy * dy).sqrt().max(1.0);
            let (ux, uy) = (dx / len, dy / len);
            let (ex, ey) = (x2 - ux * r, y2 - uy * r);
            self.ops().push(Op::Line { x1, y1, x2: ex, y2: ey, width: 0.3 + 0.8 * l.strength as f32, colour: "#8a94a6" });
            let (bx, by) = (ex - ux * 4.0, ey - uy * 4.0);
            self.ops().push(Op::Triangle { points: [(ex, ey), (bx - uy * 2.0, by + ux * 2.0), (bx + uy * 2.0, by - ux * 2.0)], colour: "#8a94a6" });
        }
        let label_size = if map.units.len() > 60 { 4.0 } else { 6.0 };
        for (u, n) in map.units.iter().zip(&layout.nodes) {
            let (x, y) = at[n.id.as_str()];
            self.ops().push(Op::Circle { x, y, r, colour: kind_colour(u.kind) });
            let label = bars::label(&u.name);
            let w = self.m.width(&label, label_size);
            self.ops().push(Op::Text { x: x - w / 2.0, y: y + r + label_size + 1.0, size: label_size, colour: TEXT, text: label });
        }
        self.y += height + 10.0;
    }
}

fn colour(hex: &str) -> rgb::Color {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    rgb::Color::new((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

fn fill(hex: &str) -> Fill {
    Fill { paint: colour(hex).into(), opacity: NormalizedF32::ONE, rule: Default::default() }
}

/// The report laid out on pages.
fn lay_out(report: &Report) -> Layout {
    let mut l = Layout::new();
    l.paragraph(&report.title, 20.0, 0.0);
    l.y += 6.0;
    for block in &report.blocks {
        match block {
            Block::Heading(level, text) => l.heading(*level, text),
            Block::Paragraph(text) => {
                l.paragraph(text, BODY, 0.0);
                l.y += 4.0;
            }
            Block::List(items) => {
                for item in items {
                    l.room(BODY * 1.4);
                    l.text(MARGIN + 4.0, BODY, TEXT, "•");
                    l.paragraph(item, BODY, 14.0);
                }
                l.y += 4.0;
            }
            Block::Table(t) => l.table(t),
            Block::Bars(b) => l.bars(b),
            Block::Map(map) => l.map(map),
        }
    }
    let count = l.pages.len();
    for (i, page) in l.pages.iter_mut().enumerate() {
        page.push(Op::Text { x: MARGIN, y: PAGE_H - 24.0, size: 7.0, colour: MUTED, text: format!("{} — page {} of {count}", report.title, i + 1) });
    }
    l
}

/// The report as PDF bytes.
pub fn pdf(report: &Report) -> Result<Vec<u8>, ExportError> {
    let mut l = lay_out(report);

    let font = Font::new(krilla::Data::from(FONT), 0).ok_or_else(|| ExportError::Render("pdf: the embedded font is unusable".into()))?;
    let mut document = Document::new();
    let settings = PageSettings::from_wh(PAGE_W, PAGE_H).expect("A4 is a valid page size");
    for ops in &l.pages {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, colour, text } => {
                    let glyphs: Vec<KrillaGlyph> = text
                        .char_indices()
                        .map(|(at, c)| {
                            let (id, advance) = l.m.glyph(c);
                            KrillaGlyph::new(GlyphId::new(id), advance, 0.0, 0.0, 0.0, at..at + c.len_utf8(), None)
                        })
                        .collect();
                    surface.set_fill(Some(fill(colour)));
                    surface.set_stroke(None);
                    surface.draw_glyphs(Point::from_xy(*x, *y), &glyphs, font.clone(), text, *size, false);
                }
                Op::Rect { x, y, w, h, colour } => {
                    let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) else { continue };
                    let mut pb = PathBuilder::new();
                    pb.push_rect(rect);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(Some(fill(colour)));
                        surface.set_stroke(None);
                        surface.draw_path(&path);
                    }
                }
                Op::Line { x1, y1, x2, y2, width, colour } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke { paint: self::colour(colour).into(), width: *width, ..Default::default() }));
                        surface.draw_path(&path);
                    }
                }
                Op::Triangle { points, colour } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(points[0].0, points[0].1);
                    pb.line_to(points[1].0, points[1].1);
                    pb.line_to(points[2].0, points[2].1);
                    pb.close();
                    if let Some(path) = pb.finish() {
                        surface.set_fill(Some(fill(colour)));
                        surface.set_stroke(None);
                        surface.draw_path(&path);
                    }
                }
                Op::Circle { x, y, r, colour } => {
                    // Four cubic arcs (k = 0.5523 approximates a quarter circle).
                    let k = 0.5523 * r;
                    let mut pb = PathBuilder::new();
                    pb.move_to(x + r, *y);
                    pb.cubic_to(x + r, y + k, x + k, y + r, *x, y + r);
                    pb.cubic_to(x - k, y + r, x - r, y + k, x - r, *y);
                    pb.cubic_to(x - r, y - k, x - k, y - r, *x, y - r);
                    pb.cubic_to(x + k, y - r, x + r, y - k, x + r, *y);
                    pb.close();
                    if let Some(path) = pb.finish() {
                        surface.set_fill(Some(fill(colour)));
                        surface.set_stroke(None);
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| ExportError::Render(format!("pdf: {e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_at_spaces_within_the_width_and_long_words_are_cut() {
        let mut m = Metrics::new();
        let lines = m.wrap("payroll on time every month without fail", 10.0, 80.0);
        assert!(lines.len() > 1, "{lines:?}");
        assert!(lines.iter().all(|l| m.width(l, 10.0) <= 80.0), "{lines:?}");
        assert_eq!(lines.join(" "), "payroll on time every month without fail");
        let long = m.wrap(&"x".repeat(100), 10.0, 50.0);
        assert!(long.len() > 1 && long.iter().all(|l| m.width(l, 10.0) <= 50.0));
        assert_eq!(m.wrap("a\nb", 10.0, 500.0), ["a", "b"]);
    }

    #[test]
    fn a_long_table_runs_over_pages_with_its_header_on_each() {
        let long = Table { columns: vec!["number".into()], numeric: vec![true], rows: (0..200).map(|i| vec![i.to_string()]).collect() };
        let l = lay_out(&Report { title: "T".into(), blocks: vec![Block::Table(long)] });
        assert!(l.pages.len() >= 3, "{} pages", l.pages.len());
        for page in &l.pages {
            assert!(page.iter().any(|op| matches!(op, Op::Text { text, .. } if text == "number")), "the header on every page");
            assert!(page.iter().all(|op| !matches!(op, Op::Text { y, .. } if *y > PAGE_H - 20.0)), "nothing below the margin");
        }
        let bytes = pdf(&Report { title: "T".into(), blocks: vec![] }).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
    }
}
