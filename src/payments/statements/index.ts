export {
  CSV_STATEMENT_FIELDS,
  type CsvColumnMapping,
  type CsvDateFormat,
  type CsvStatementField,
  type CsvStatementOptions,
  parseCsvMapping,
} from "./csv-statement.js";
export {
  detectStatementFormat,
  type ParsedStatement,
  type ParseStatementOptions,
  parseStatementFile,
  STATEMENT_FORMATS,
  type StatementFormat,
  type StatementLine,
} from "./statement.js";
export { StatementFileError, type StatementProblem } from "./statement-error.js";
