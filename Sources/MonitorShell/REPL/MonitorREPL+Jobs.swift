import QMP

extension MonitorREPL {
    /// `.jobs`: the current monitor's jobs with their progress. `.jobs follow`: progress lines (at most one per
    /// second per job, and each status change) until every job has ended.
    func jobs(_ arguments: [String]) async {
        let index = state.withLock { $0.current }
        guard let client = sessions[index].client else {
            print("UsageError: .jobs needs a QMP monitor", to: .error)
            return
        }
        guard arguments.isEmpty || arguments == ["follow"] else {
            print("UsageError: .jobs [follow]", to: .error)
            return
        }
        do {
            let list = try await client.execute(QueryJobs(), timeout: .seconds(10))
            print(JobListing.lines(list).joined(separator: "\n"))
            guard arguments == ["follow"] else { return }
            let running = list.filter { !$0.status.isFinal }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for info in running {
                    let job = Job.attach(id: info.id, on: client)
                    group.addTask {
                        var renderer = ProgressRenderer(mode: .plain)
                        for try await progress in job.progress() {
                            if let line = renderer.render(ProgressSample(progress)) { self.print(line) }
                        }
                    }
                }
                try await group.waitForAll()
            }
        } catch {
            print("\(error)", to: .error)
        }
    }
}
