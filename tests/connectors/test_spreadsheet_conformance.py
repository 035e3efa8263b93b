"""The spreadsheet connector passes the standard conformance suite, in each of its forms."""

from connectors.sdk import connector_test_suite
from connectors.spreadsheet import SpreadsheetConnector

PERIODS = ["2025-S1", "2025-S2"]

TestMicrodata = connector_test_suite(
    SpreadsheetConnector, config="spreadsheet_microdata_config", periods=PERIODS
)
TestWorkbook = connector_test_suite(
    SpreadsheetConnector, config="spreadsheet_workbook_config", periods=PERIODS
)
TestCells = connector_test_suite(
    SpreadsheetConnector, config="spreadsheet_cells_config", periods=PERIODS
)
