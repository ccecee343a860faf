// The live-schema module (query-qmp-schema model, validation, completion data) is being written; see issue 6.
