"""The built-in ``spreadsheet`` connector: a CSV or XLSX file, one row per entrepreneur
(aggregated locally) or already aggregated cells, with a column mapping in the configuration.
"""

from connectors.spreadsheet.connector import SpreadsheetConnector

__all__ = ["SpreadsheetConnector"]
