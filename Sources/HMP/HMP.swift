// The human monitor: HMP through QMP and over its own socket; see issue 4.
