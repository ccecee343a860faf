import Testing
@testable import LineEditing

/// What Ctrl-C does on a console that asks before acting (a foreground `qmpsh boot`), decided without a terminal;
/// the tmux tests in RunnerTerminalTests drive the same on a real guest.
@Suite struct ConsoleInterruptTests {
    typealias Router = ConsoleTerminal.KeyRouter

    func router() -> Router { Router(escape: ConsoleTerminal.escapeKey, asksOnInterrupt: true) }

    @Test func ctrlCAsksAndSendsNothingYet() {
        var keys = router()
        let routed = keys.route(Array("ls\u{03}".utf8)[...])
        #expect(routed.actions == [.send(Array("ls".utf8)), .show(.ask)])
        #expect(routed.outcome == nil)
        #expect(keys.asking)
    }

    @Test func anyOtherAnswerIsSwallowedAndTheConsoleGoesOn() {
        var keys = router()
        _ = keys.route([0x03])
        let answer = keys.route(Array("nls".utf8)[...])
        #expect(answer.actions == [.show(.dismiss), .send(Array("ls".utf8))])
        #expect(answer.outcome == nil)
        // An arrow key as the answer goes with its whole sequence.
        _ = keys.route([0x03])
        #expect(keys.route([0x1b, UInt8(ascii: "["), UInt8(ascii: "A")]).actions == [.show(.dismiss)])
    }

    @Test func aSecondCtrlCGoesToTheGuest() {
        var keys = router()
        let routed = keys.route([0x03, 0x03])
        #expect(routed.actions == [.show(.ask), .show(.dismiss), .send([0x03])])
        #expect(routed.outcome == nil && !keys.asking)
    }

    @Test func yConfirmsAndTheEscapeKeyStillEscapes() {
        var keys = router()
        #expect(keys.route([0x03, UInt8(ascii: "y")]).outcome == .confirmed)
        var other = router()
        let escaped = other.route([0x03, ConsoleTerminal.escapeKey])
        #expect(escaped.actions == [.show(.ask), .show(.dismiss)] && escaped.outcome == .escaped)
    }

    @Test func withoutAQuestionCtrlCIsAKeyForTheGuest() {
        var keys = Router(escape: ConsoleTerminal.escapeKey, asksOnInterrupt: false)
        let routed = keys.route(Array("a\u{03}b\u{1d}c".utf8)[...])
        #expect(routed.actions == [.send(Array("a\u{03}b".utf8))] && routed.outcome == .escaped)
    }

    /// The question replaces the guest's current line; the console's output is held meanwhile, and the line as the
    /// guest left it comes back with what was held.
    @Test func theQuestionGivesTheLineBackAndHoldsOutput() {
        var screen = ConsoleTerminal.ScreenState()
        let question = Array("Q? ".utf8)
        #expect(screen.apply(.output(Array("boot\r\nguest# ".utf8)), question: question) == Array("boot\r\nguest# ".utf8))
        #expect(screen.apply(.ask, question: question) == Array("\r\u{1b}[KQ? ".utf8))
        #expect(screen.apply(.output(Array("late".utf8)), question: question).isEmpty)
        #expect(screen.apply(.dismiss, question: question) == Array("\r\u{1b}[Kguest# late".utf8))
        // The remembered line now ends with the output that was held.
        _ = screen.apply(.ask, question: question)
        #expect(screen.apply(.confirm, question: question) == Array("\r\u{1b}[Kguest# late\r\n".utf8))
    }

    /// The guest's prompt asks the terminal where the cursor is (`ESC[6n`); the redrawn line must not ask again, or
    /// the answer would reach the guest as typed text.
    @Test func theRedrawnLineAsksTheTerminalNothing() {
        var screen = ConsoleTerminal.ScreenState()
        _ = screen.apply(.output(Array("\r\n\u{1b}[1mguest# \u{1b}[0m\u{1b}[6n".utf8)), question: [])
        _ = screen.apply(.ask, question: [])
        #expect(screen.apply(.dismiss, question: []) == Array("\r\u{1b}[K\u{1b}[1mguest# \u{1b}[0m".utf8))
    }

    /// An escape sequence split between two chunks of console output is written whole, and one the console ends in
    /// is never written alone: a lone `ESC` made the shell's prompt `(qmp fg)` show as `mp fg)` (`ESC ( q`) after
    /// Ctrl-] in a CI run.
    @Test func anEscapeSequenceSplitAcrossChunksIsWrittenWhole() {
        var screen = ConsoleTerminal.ScreenState()
        #expect(screen.apply(.output(Array("guest# \u{1b}".utf8)), question: []) == Array("guest# ".utf8))
        #expect(screen.apply(.output(Array("[6n".utf8)), question: []) == Array("\u{1b}[6n".utf8))
        #expect(screen.apply(.output(Array("a\u{1b}[1".utf8)), question: []) == Array("a".utf8))
        #expect(screen.apply(.output(Array(";2mb".utf8)), question: []) == Array("\u{1b}[1;2mb".utf8))
        #expect(screen.apply(.output(Array("c\u{1b}(".utf8)), question: []) == Array("c".utf8))
        #expect(screen.apply(.output(Array("Bd".utf8)), question: []) == Array("\u{1b}(Bd".utf8))
        // Complete sequences pass at once.
        #expect(screen.apply(.output(Array("\u{1b}[0mdone\u{1b}M".utf8)), question: []) == Array("\u{1b}[0mdone\u{1b}M".utf8))
    }

    /// The terminal's answer to a cursor-position query the guest made just before Ctrl-] reached the monitor shell
    /// as typed text (a CI run showed `^[[29;8R(qmp fg) 9;8R`). The console counts the queries it writes and the
    /// answers it reads, so one still open when it is left is read and passed to the guest.
    @Test func cursorPositionQueriesAndAnswersAreCountedAcrossChunks() {
        var reports = ConsoleTerminal.PositionReports()
        reports.scanOutput(Array("guest# \u{1b}[6n".utf8))
        #expect(reports.unanswered == 1)
        // Split across two chunks, and other sequences (colours, an arrow key) are not queries or answers.
        reports.scanOutput(Array("\u{1b}[1mx\u{1b}[".utf8))
        reports.scanOutput(Array("6n".utf8))
        #expect(reports.unanswered == 2)
        let fits1 = reports.scanInput(Array("\u{1b}[A".utf8)[...])
        #expect(fits1 == false)
        #expect(reports.unanswered == 2)
        let fits2 = reports.scanInput(Array("\u{1b}[29".utf8)[...])
        #expect(fits2)
        let fits3 = reports.scanInput(Array(";8R".utf8)[...])
        #expect(fits3)
        #expect(reports.unanswered == 1)
        let fits4 = reports.scanInput(Array("ls\u{1b}[3;1R".utf8)[...])
        #expect(fits4)
        #expect(reports.unanswered == 0)
        // A byte that cannot be part of an answer says so (the shell's type-ahead: stop reading answers there).
        reports.scanOutput(Array("\u{1b}[6n".utf8))
        let fits5 = reports.scanInput(Array("\u{1b}[2x".utf8)[...])
        #expect(fits5 == false)
        #expect(reports.unanswered == 1)
    }
}
