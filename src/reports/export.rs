//! The reports' file exports written with bounded memory, whatever the number of lines:
//! a [`Source`] hands over its lines a chunk at a time, and [`spawn`] turns them into the
//! pieces of a file on a task of their own, at most a few chunks ahead of whoever takes
//! the pieces (a response body, a file on disk). CSV is UTF-8 with a byte-order mark, so
//! that Excel and WPS open it as Chinese, each chunk encoded as it comes; XLSX is written
//! row by row on the blocking pool in rust_xlsxwriter's constant-memory mode (each row
//! goes to a temporary file as soon as the next begins), packed into a second temporary
//! file, and read back in blocks. The same bytes whoever takes them: the page's download
//! and `registry report` write one file.

use std::io::{self, Seek};

use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use tokio::{io::AsyncReadExt, sync::mpsc};

use crate::error::AppError;

/// Pieces of a file waiting to be taken, at most.
const PIECES_AHEAD: usize = 4;

/// Chunks of lines waiting for the XLSX writer, at most.
const CHUNKS_AHEAD: usize = 2;

/// The size of the blocks a finished XLSX file is read back in.
const BLOCK: usize = 64 * 1024;

/// Which file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// UTF-8 with a byte-order mark.
    Csv,
    /// One worksheet, every cell text.
    Xlsx,
}

impl Format {
    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }
}

/// What a table's file says besides its lines.
#[derive(Debug, Clone)]
pub struct Table {
    /// The worksheet's name (at most 31 characters, as Excel allows).
    pub sheet: String,
    pub columns: &'static [&'static str],
    /// Each column's width in the worksheet, in characters.
    pub widths: &'static [f64],
}

/// Lines read a chunk at a time: a fixed number of queries per chunk, from one reading of
/// the database.
pub trait Source: Send + 'static {
    /// One line: a cell per column.
    type Line: AsRef<[String]> + Send + 'static;

    /// The next chunk of lines; `None` once all have been read.
    fn next_chunk(
        &mut self,
    ) -> impl Future<Output = Result<Option<Vec<Self::Line>>, AppError>> + Send;

    /// Ends the reading (its transaction, if any).
    fn finish(self) -> impl Future<Output = Result<(), AppError>> + Send;
}

/// The pieces of a file in the order they are written; after a failure, one error and
/// nothing more. A reader that stops reading stops the writing.
pub type Pieces = mpsc::Receiver<Result<Vec<u8>, io::Error>>;

/// A file already written whole (a dispatch, the 公示 list), as pieces.
pub fn whole(bytes: Vec<u8>) -> Pieces {
    let (tx, rx) = mpsc::channel(1);
    // The channel has room for the one piece, so this never waits or fails.
    let _ = tx.try_send(Ok(bytes));
    rx
}

/// Writes `source`'s lines as `format` on a task of its own; `progress` is told how many
/// lines each chunk held as it is written.
pub fn spawn<S: Source>(
    source: S,
    table: Table,
    format: Format,
    progress: impl Fn(u64) + Send + Sync + 'static,
) -> Pieces {
    let (pieces, taken) = mpsc::channel(PIECES_AHEAD);
    tokio::spawn(async move {
        let out = pieces.clone();
        let written = match format {
            Format::Csv => csv(source, &table, &out, &progress).await,
            Format::Xlsx => xlsx(source, table, &out, &progress).await,
        };
        match written {
            Ok(()) | Err(Stop::Gone) => {}
            Err(Stop::Failed(e)) => {
                tracing::error!(error = %e, "writing an export failed");
                let _ = pieces.send(Err(io::Error::other(e.to_string()))).await;
            }
        }
    });
    taken
}

/// Why writing stopped early.
enum Stop {
    /// Whoever took the pieces is gone (a download cancelled).
    Gone,
    Failed(AppError),
}

impl From<AppError> for Stop {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

type Sender = mpsc::Sender<Result<Vec<u8>, io::Error>>;

async fn put(out: &Sender, bytes: Vec<u8>) -> Result<(), Stop> {
    out.send(Ok(bytes)).await.map_err(|_| Stop::Gone)
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("writing an export: {e}"))
}

async fn csv<S: Source>(
    mut source: S,
    table: &Table,
    out: &Sender,
    progress: &impl Fn(u64),
) -> Result<(), Stop> {
    put(out, csv_head(table.columns)?).await?;
    while let Some(chunk) = source.next_chunk().await? {
        put(out, csv_lines(&chunk)?).await?;
        progress(chunk.len() as u64);
    }
    source.finish().await?;
    Ok(())
}

/// The start of a CSV file: the byte-order mark and the header line.
pub fn csv_head(columns: &[&str]) -> Result<Vec<u8>, AppError> {
    let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    out.write_record(columns).map_err(internal)?;
    out.into_inner().map_err(internal)
}

/// Lines as CSV records, to follow [`csv_head`] and each other: a record's bytes do not
/// depend on what came before it.
pub fn csv_lines<L: AsRef<[String]>>(lines: &[L]) -> Result<Vec<u8>, AppError> {
    let mut out = csv::Writer::from_writer(Vec::new());
    for line in lines {
        out.write_record(line.as_ref()).map_err(internal)?;
    }
    out.into_inner().map_err(internal)
}

async fn xlsx<S: Source>(
    mut source: S,
    table: Table,
    out: &Sender,
    progress: &impl Fn(u64),
) -> Result<(), Stop> {
    let (chunks, mut to_write) = mpsc::channel::<Vec<S::Line>>(CHUNKS_AHEAD);
    let writer = tokio::task::spawn_blocking(move || -> Result<std::fs::File, AppError> {
        let mut sheet = Sheet::start(&table)?;
        while let Some(chunk) = to_write.blocking_recv() {
            sheet.lines(&chunk)?;
        }
        sheet.finish()
    });
    let read = async {
        while let Some(chunk) = source.next_chunk().await? {
            let n = chunk.len() as u64;
            // Closed only when the writer has failed: its error is the one to tell.
            if chunks.send(chunk).await.is_err() {
                break;
            }
            progress(n);
        }
        drop(chunks);
        source.finish().await
    };
    let read = read.await;
    let file = writer.await.map_err(internal)??;
    read?;
    let mut file = tokio::fs::File::from_std(file);
    loop {
        let mut block = vec![0; BLOCK];
        let n = file.read(&mut block).await.map_err(internal)?;
        if n == 0 {
            return Ok(());
        }
        block.truncate(n);
        put(out, block).await?;
    }
}

/// A worksheet written row by row.
struct Sheet {
    book: Workbook,
    text: CellFormat,
    next_row: u32,
}

impl Sheet {
    /// A workbook of one constant-memory worksheet with the header row, frozen.
    fn start(table: &Table) -> Result<Self, AppError> {
        let start = || -> Result<Self, XlsxError> {
            let mut book = Workbook::new();
            let sheet = book.add_worksheet_with_constant_memory()?;
            sheet.set_name(&table.sheet)?;
            let bold = CellFormat::new().set_bold();
            for (at, title) in table.columns.iter().enumerate() {
                let width = table.widths.get(at).copied().unwrap_or(18.0);
                sheet.set_column_width(at as u16, width)?;
                sheet.write_string_with_format(0, at as u16, *title, &bold)?;
            }
            sheet.set_freeze_panes(1, 0)?;
            Ok(Self {
                book,
                text: CellFormat::new().set_num_format("@"),
                next_row: 1,
            })
        };
        start().map_err(internal)
    }

    /// Writes the lines below those written before, every cell text (so that no ID or
    /// number loses a digit).
    fn lines<L: AsRef<[String]>>(&mut self, lines: &[L]) -> Result<(), AppError> {
        let sheet = self.book.worksheet_from_index(0).map_err(internal)?;
        for line in lines {
            for (at, value) in line.as_ref().iter().enumerate() {
                sheet
                    .write_string_with_format(self.next_row, at as u16, value, &self.text)
                    .map_err(internal)?;
            }
            self.next_row += 1;
        }
        Ok(())
    }

    /// The finished workbook in an unnamed temporary file (gone once closed), read from
    /// its start.
    fn finish(mut self) -> Result<std::fs::File, AppError> {
        let mut file = tempfile::tempfile().map_err(internal)?;
        self.book.save_to_writer(&mut file).map_err(internal)?;
        file.rewind().map_err(internal)?;
        Ok(file)
    }
}
