// Users of the client work with `JSON`, `MonitorAddress` and the wire errors all the time; re-export the wire
// layer so `import QMP` is enough.
@_exported public import QMPWire
