-- Up Migration

-- A classifier's holdout by class (class names, confusion matrix, precision / recall / F1 / support
-- per class), shown on the version page; null for regressors and for evaluations stored before it.
ALTER TABLE evaluations ADD COLUMN class_report jsonb;

-- Down Migration
ALTER TABLE evaluations DROP COLUMN class_report;
