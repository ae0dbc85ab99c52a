"""The one reader of files sent to chiso: records, values and catalogues.

- ``tables``: CSV, Excel, Parquet and JSON lines into a polars frame (``read_table``);
- ``documents``: JSON and YAML documents (``read_document``, ``parse_json``, ``parse_yaml``);
- ``encoding``: UTF-8, or UTF-16/32 with a byte-order mark; anything else refused by name;
- ``guards``: the checks made before reading — size, what a compressed file unpacks to,
  compression ratios, nesting depth;
- ``limits``: the bounds, from the ``CHISO_FILE_*`` settings;
- ``reasons``: why a file was refused, in English and Vietnamese.

Every text that comes in is Unicode NFC, so "Sở Tài chính" typed, pasted from a PDF or saved
by a Mac is one name, and holds no NUL character (a damaged file; no database keeps one).
Every refusal is a ``LoadError`` naming the file, the row when there is one (a row polars
cannot parse is looked for and named), the column and the reason; nothing is written by a
reader. A row is numbered as the user's own program numbers it (``tables.ROW_CONVENTION``):
a workbook's sheet row and a CSV file's spreadsheet row (the header is row 1, the first data
row is row 2), a JSON lines line, a record's position in JSON or Parquet.
"""
