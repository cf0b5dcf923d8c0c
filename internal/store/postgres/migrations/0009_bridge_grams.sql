-- 0009: an organisation's name grams also hold its bridges: runs of three
-- characters with one besides letters and digits (punctuation, a space),
-- which trigrams of words miss, so that a fragment such as "店（四" is looked
-- up by what is rare in it. The grams are computed by the program (package
-- names), which rewrites those of every name with such a character after
-- this file, in the same transaction (see migrationSteps).
SELECT 1;
