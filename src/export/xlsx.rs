//! One workbook, a sheet per table: a bold frozen header row with a filter, numbers
//! and booleans as typed cells, text always written as a string (never a formula)
//! and neutralised like the CSV's.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::tables::{neutralise, Cell, Table};
use super::ExportError;

fn fail(e: XlsxError) -> ExportError {
    ExportError::Render(format!("xlsx: {e}"))
}

pub fn workbook(tables: &[Table]) -> Result<Vec<u8>, ExportError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for t in tables {
        let sheet = book.add_worksheet();
        sheet.set_name(t.name).map_err(fail)?;
        for (c, name) in t.columns.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *name, &bold).map_err(fail)?;
            // Wide enough for the header and most values; long text wraps in the cell on demand.
            sheet.set_column_width(c as u16, (name.len() as f64 + 2.0).max(10.0)).map_err(fail)?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(text) => sheet.write_string(r, c, neutralise(text)),
                    Cell::Number(x) => sheet.write_number(r, c, *x),
                    Cell::Bool(b) => sheet.write_boolean(r, c, *b),
                    Cell::Empty => continue,
                }
                .map_err(fail)?;
            }
        }
        sheet.autofilter(0, 0, t.rows.len() as u32, t.columns.len().saturating_sub(1) as u16).map_err(fail)?;
        sheet.set_freeze_panes(1, 0).map_err(fail)?;
    }
    book.save_to_buffer().map_err(fail)
}
