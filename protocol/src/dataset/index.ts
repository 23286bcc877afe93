// Researcher datasets: the row schema, NDJSON and CSV codecs, and the check of a row against the ledger.
export * from './CsvRecordReader.ts';
export * from './csv.ts';
export * from './DatasetReader.ts';
export * from './DatasetRow.ts';
export * from './merkleCompact.ts';
export * from './ndjson.ts';
export * from './verifyDatasetRow.ts';
