// Package ident validates, normalises and composes the identifiers by which
// the provincial social credit platform matches every credit record to its
// subject.
//
// An organisation is identified by its Unified Social Credit Code (USCC,
// GB 32100-2015), which embeds the organisation code of GB 11714 at
// positions 9–17 and the administrative division code of GB/T 2260 at
// positions 3–8. A natural person is identified by the resident identity
// number of GB 11643 (ISO 7064 MOD 11-2 check). Hubei's division codes are
// embedded in the package so that codes can be checked and named.
//
// Input from forms and spreadsheets should first pass through the matching
// Normalize function (which removes spaces, converts full-width characters
// and upper-cases letters); the Check functions then validate the normalised
// value strictly and report the first fault as an *Error naming the position
// and, for check characters, the expected character, in Chinese and English.
//
// A resident identity number is personal information. Errors about one never
// quote the number itself, only the position and the offending or expected
// character, so they may be logged; MaskIDCard gives the form that may be
// shown publicly.
//
// The package depends only on the standard library.
package ident
