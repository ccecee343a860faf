// Tests for QMPSchema come with the module.
