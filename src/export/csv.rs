//! One CSV file per table (`scorecard.csv`, `units.csv`, …): a header row, numbers
//! as numbers, text neutralised against spreadsheet formulas.

use super::tables::{neutralise, Cell, Table};
use super::ExportError;

/// The CSV text of one cell (`true`/`false` for booleans, empty for none).
fn field(cell: &Cell) -> std::borrow::Cow<'_, str> {
    match cell {
        Cell::Text(t) => neutralise(t),
        Cell::Number(x) => format!("{x}").into(),
        Cell::Bool(b) => if *b { "true" } else { "false" }.into(),
        Cell::Empty => "".into(),
    }
}

pub fn table(t: &Table) -> Result<Vec<u8>, ExportError> {
    let fail = |e: ::csv::Error| ExportError::Render(format!("{}.csv: {e}", t.name));
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(&t.columns).map_err(fail)?;
    for row in &t.rows {
        w.write_record(row.iter().map(|c| field(c).into_owned())).map_err(fail)?;
    }
    w.into_inner().map_err(|e| ExportError::Render(format!("{}.csv: {e}", t.name)))
}

/// `(file name, bytes)` for each table.
pub fn files(tables: &[Table]) -> Result<Vec<(String, Vec<u8>)>, ExportError> {
    tables.iter().map(|t| Ok((format!("{}.csv", t.name), table(t)?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_written_typed_and_text_is_neutralised() {
        let t = Table {
            name: "t",
            columns: vec!["a", "b", "c", "d"],
            rows: vec![vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Number(2.5), Cell::Bool(true), Cell::Empty]],
        };
        let text = String::from_utf8(table(&t).unwrap()).unwrap();
        assert_eq!(text, "a,b,c,d\n\"'=HYPERLINK(\"\"x\"\")\",2.5,true,\n");
    }
}
