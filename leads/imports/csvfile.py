"""Reading an import file: its encoding (BOMs, UTF-8, Windows-1252), its delimiter (Excel's
`sep=` line or the header's), its rows with their physical line numbers, and the width check."""

import codecs
import csv
import hashlib
import io
import os
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from leads.imports.cells import RowError


class ImportFileError(Exception):
    """The file or the options cannot be imported at all (exit status 2, nothing written)."""


# Reading the file -----------------------------------------------------------------------------


@dataclass
class FileInfo:
    checksum: str
    size: int
    lines: int
    encoding: str


def inspect_file(path, encoding=""):
    """One pass over the bytes: checksum, size, line count and (unless given) the encoding:
    UTF-16 with its BOM (Excel's "Unicode Text"), UTF-8 with BOM, UTF-8, else Windows-1252,
    else Latin-1 (which decodes anything). A file that is UTF-8 but for a few damaged bytes
    (more valid non-ASCII characters than bytes that are not UTF-8) is UTF-8: guessing
    Windows-1252 for it would garble every "Ø" of the file to "Ã˜" to save one line; the
    lines holding the damaged bytes are rejected instead (CsvSource.rows)."""
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportFileError(_("Unknown encoding: %(name)s") % {"name": encoding}) from None
    digest, size, lines = hashlib.sha256(), 0, 0
    utf8 = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
    valid_non_ascii = invalid_bytes = 0
    head = b""
    last = b""
    wide = None  # UTF-16/32: lines are counted in the decoded text
    with open(path, "rb") as stream:
        while chunk := stream.read(1 << 20):
            if not head:
                head = chunk[:4]
                if not encoding and head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    encoding = "utf-16"  # the codec reads the byte order from the BOM
                if encoding and codecs.lookup(encoding).name.startswith(("utf-16", "utf-32")):
                    wide = codecs.getincrementaldecoder(encoding)(errors="replace")
            digest.update(chunk)
            size += len(chunk)
            if wide is None:
                lines += chunk.count(b"\n")
                last = chunk[-1:]
            else:
                text = wide.decode(chunk)
                lines += text.count("\n")
                last = text[-1:].encode() or last
            if not encoding and not chunk.isascii():
                text = utf8.decode(chunk)
                invalid = len(_INVALID_BYTE.findall(text))
                invalid_bytes += invalid
                valid_non_ascii += len(_NON_ASCII.findall(text)) - invalid
    if last and last != b"\n":
        lines += 1
    if not encoding:
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif invalid_bytes == 0 or valid_non_ascii > invalid_bytes:
            encoding = "utf-8"
        else:
            encoding = "cp1252" if _decodes(path, "cp1252") else "latin-1"
    return FileInfo(checksum=digest.hexdigest(), size=size, lines=lines, encoding=encoding)


# Read as UTF-8 with errors="surrogateescape", a byte that is not UTF-8 becomes a lone
# surrogate (U+DC80-U+DCFF), which no correctly decoded text contains.
_INVALID_BYTE = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_REPLACEMENT = "\ufffd"


def _decodes(path, encoding):
    decoder = codecs.getincrementaldecoder(encoding)()
    with open(path, "rb") as stream:
        try:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
        except UnicodeDecodeError:
            return False
    return True


def _is_utf8(encoding):
    try:
        return codecs.lookup(encoding).name in ("utf-8", "utf-8-sig")
    except LookupError:
        return False


def _sep_hint(line):
    """The delimiter named by Excel's optional first line `sep=;`, or ""."""
    text = line.strip("\r\n").lstrip("\ufeff")
    if len(text) == 5 and text[:4].lower() == "sep=":
        return text[4]
    return ""


def sniff_delimiter(sample):
    """`,` `;` or tab: the one Excel's `sep=` line names, else whichever splits the header
    (the first line that is not blank) into the most fields."""
    lines = (line for line in io.StringIO(sample) if line.strip())
    first = next(lines, "")
    if hint := _sep_hint(first):
        return hint
    best, best_count = ",", 0
    for delimiter in (",", ";", "\t"):
        try:
            header = next(csv.reader(io.StringIO(first), delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(header) > best_count:
            best, best_count = delimiter, len(header)
    return best


class CsvSource:
    """The file as (physical line number, cells) rows after the header; blank lines skipped."""

    def __init__(self, path, *, encoding, delimiter=""):
        self.path = path
        self.encoding = encoding
        try:
            # UTF-8: a damaged byte rejects its line, not the file (rows() below).
            errors = "surrogateescape" if _is_utf8(encoding) else "strict"
            self._file = open(path, encoding=encoding, newline="", errors=errors)  # noqa: SIM115
            sample = self._file.read(65536)
            self._file.seek(0)
        except (OSError, UnicodeDecodeError, LookupError) as error:
            raise ImportFileError(
                _("Cannot read the file: %(error)s") % {"error": error}
            ) from None
        self.delimiter = delimiter or sniff_delimiter(sample)
        # The csv module refuses a field over 128 KB with an error that loses the row's cells;
        # no field can be larger than the file, and an oversized one is rejected by the lead's
        # own validation with the row kept as it was for the error file.
        csv.field_size_limit(max(csv.field_size_limit(), os.path.getsize(path) + 1))
        self._reader = csv.reader(self._file, delimiter=self.delimiter)
        try:
            lines = (cells for cells in self._reader if any(cell.strip() for cell in cells))
            header = next(lines, None)
            if header is not None and _sep_hint(self.delimiter.join(header)):
                header = next(lines, None)  # Excel's "sep=;" line: the header comes next
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportFileError(
                _("Cannot read the header: %(error)s") % {"error": error}
            ) from None
        if header is None:
            raise ImportFileError(_("The file is empty: there is no header line."))
        header = [
            _INVALID_BYTE.sub(_REPLACEMENT, cell.strip().lstrip("\ufeff")) for cell in header
        ]
        while header and not header[-1]:
            header.pop()  # trailing delimiters
        self.header = header
        self.header_line = self._reader.line_num

    def rows(self):
        previous = self._reader.line_num
        while True:
            try:
                cells = next(self._reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as error:
                line = previous + 1
                previous = self._reader.line_num
                yield line, None, str(error)
                continue
            line, previous = previous + 1, self._reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if any(_INVALID_BYTE.search(cell) for cell in cells):
                cells = [_INVALID_BYTE.sub(_REPLACEMENT, cell) for cell in cells]
                yield (
                    line,
                    cells,
                    _(
                        "The row holds bytes that are not %(encoding)s (shown as �); the"
                        " rest of the file was read as %(encoding)s. Correct them and import"
                        " the row again."
                    )
                    % {"encoding": "UTF-8"},
                )
                continue
            if any("\x00" in cell for cell in cells):
                # The lead form refuses NUL characters and PostgreSQL cannot store them (not
                # even in the error row): the row is rejected, the NULs shown as U+FFFD.
                cells = [cell.replace("\x00", "\ufffd") for cell in cells]
                yield line, cells, _("The row contains a NUL character (shown as �).")
                continue
            yield line, cells, ""

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def check_width(cells, width):
    """Trailing empty cells are dropped (trailing delimiters); any other ragged row is
    rejected."""
    if len(cells) > width and not any(c.strip() for c in cells[width:]):
        del cells[width:]
    if len(cells) != width:
        raise RowError(
            _("The row has %(count)d fields where the header has %(width)d.")
            % {"count": len(cells), "width": width}
        )
