import QMP

extension MonitorREPL {
    /// `.jobs`: the current monitor's jobs with their progress (the running ones are then followed live).
    /// `.jobs on|off`: whether live progress lines are printed above the prompt.
    func jobs(_ arguments: [String]) async {
        switch arguments {
        case ["on"], ["off"]:
            let on = arguments == ["on"]
            state.withLock { $0.showJobs = on }
            print("# live job lines \(on ? "on" : "off")")
            guard on else { return }
            do { _ = try await followRunningJobs() } catch { print("\(error)", to: .error) }
            return
        case []:
            break
        default:
            print("UsageError: .jobs [on|off]", to: .error)
            return
        }
        let index = state.withLock { $0.current }
        guard sessions[index].client != nil else {
            print("UsageError: .jobs needs a QMP monitor", to: .error)
            return
        }
        do {
            print(JobListing.lines(try await followRunningJobs()).joined(separator: "\n"))
        } catch {
            print("\(error)", to: .error)
        }
    }

    /// Lists the current monitor's jobs, and has the running ones followed live when live lines are on (jobs
    /// started before the shell, by another client, or while the lines were off).
    private func followRunningJobs() async throws -> [JobInfo] {
        let (index, shown) = state.withLock { ($0.current, $0.showJobs) }
        guard let client = sessions[index].client else { return [] }
        let list = try await client.execute(QueryJobs(), timeout: .seconds(10))
        let requests = state.withLock { $0.jobFollowRequests[index] }
        if shown { for info in list where !info.status.isFinal { requests?.yield(info.id) } }
        return list
    }

    /// Prints live progress lines for the jobs of monitor `index` above the prompt, while the user keeps typing:
    /// a job is followed from its first JOB_STATUS_CHANGE seen with the lines on (or from `.jobs` / `.jobs on`) to
    /// its end, with a line on each status change, at most one a second in between, and a last one when it ends.
    /// Runs until cancelled.
    func watchJobs(of index: Int) async {
        guard let client = sessions[index].client else { return }
        let (requests, request) = AsyncStream<String>.makeStream()
        state.withLock { $0.jobFollowRequests[index] = request }
        let changes = client.events(QMPEventFilter(names: ["JOB_STATUS_CHANGE"]), bufferSize: 1024)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await event in changes {
                        guard let id = event.data["id"]?.stringValue,
                              let status = event.data["status"]?.stringValue.map(JobStatus.init(rawValue:)),
                              !status.isFinal, self.state.withLock({ $0.showJobs })
                        else { continue }
                        request.yield(id)
                    }
                } catch {
                    // The monitor went away or the shell is ending: watchEvents reports it.
                }
                request.finish()
            }
            for await id in requests {
                let isNew = state.withLock { $0.followedJobs.insert(JobKey(monitor: index, id: id)).inserted }
                guard isNew else { continue }
                group.addTask {
                    await self.followJob(id, on: client, monitor: index)
                    _ = self.state.withLock { $0.followedJobs.remove(JobKey(monitor: index, id: id)) }
                }
            }
            group.cancelAll()
        }
        changes.cancel()
        state.withLock { _ = $0.jobFollowRequests.removeValue(forKey: index) }
    }

    /// The live lines of one job until it ends (or the monitor goes away).
    private func followJob(_ id: String, on client: QMPClient, monitor index: Int) async {
        let job = Job.attach(id: id, on: client)
        var last: (status: JobStatus, time: ContinuousClock.Instant)?
        do {
            for try await progress in job.progress() {
                let now = ContinuousClock.now
                if let last, last.status == progress.status, now - last.time < .seconds(1) { continue }
                last = (progress.status, now)
                let (shown, several) = state.withLock { ($0.showJobs, sessions.count > 1) }
                guard shown else { continue }
                print(Self.jobLine(progress, monitor: several ? index + 1 : nil))
            }
        } catch {
            // The monitor went away or the shell is ending.
        }
    }

    /// `# job bk running 47%  30.0 MiB / 64.0 MiB  12.5 MiB/s  ETA 3s`, with the monitor's number when there are
    /// several.
    static func jobLine(_ progress: JobProgress, monitor: Int?) -> String {
        "# job " + (monitor.map { "\($0): " } ?? "") + ProgressRenderer.plainLine(ProgressSample(progress))
    }
}

/// A followed job: the monitor's index and the job's id.
struct JobKey: Hashable {
    var monitor: Int
    var id: String
}
