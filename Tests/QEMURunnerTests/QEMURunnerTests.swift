// Tests for QEMURunner (pure: configuration to argv, images, host check).
