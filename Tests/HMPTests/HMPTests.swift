// Tests for HMP come with the module.
