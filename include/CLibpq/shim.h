#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H

#include <libpq-fe.h>

/// libpq's PG_DIAG_* field codes are character-literal macros, which Swift does
/// not import; these constants carry the same values under importable names.
static const int clibpq_diag_sqlstate = 'C';
static const int clibpq_diag_message_primary = 'M';
static const int clibpq_diag_message_detail = 'D';
static const int clibpq_diag_message_hint = 'H';
static const int clibpq_diag_severity = 'V';

#endif
