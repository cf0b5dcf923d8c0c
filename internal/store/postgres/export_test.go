package postgres

// Regram is the program's part of migration 0009, for its test.
var Regram = regram
