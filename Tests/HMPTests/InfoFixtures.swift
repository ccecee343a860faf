// Real HMP output captured from QEMU 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3, `-M pc`, TCG) on this machine
// through QMP's `human-monitor-command`. QEMU ends every line with "\r\n"; the literals below are written with
// "\n" and `crlf` puts the "\r" back, so each constant is byte for byte what QEMU sent. Paths: disk images were in
// /tmp/hmpcap, the ISOs in /root/.cache/qmpkit/guest. Thread ids and `#blockNNN` names are whatever that run produced.

enum InfoFixtures {
    /// `info status` under `-S`, before `cont`.
    /// Sent as `info status`.
    static let statusPrelaunch = crlf(
        #"""
        VM status: paused (prelaunch)

        """#
    )

    /// `info status` of a booted guest.
    /// Sent as `info status`.
    static let statusRunning = crlf(
        #"""
        VM status: running

        """#
    )

    /// `info status` after `stop`.
    /// Sent as `info status`.
    static let statusPaused = crlf(
        #"""
        VM status: paused

        """#
    )

    /// `info status` after the guest ran `poweroff -f` under `-no-shutdown`.
    /// Sent as `info status`.
    static let statusShutdown = crlf(
        #"""
        VM status: paused (shutdown)

        """#
    )

    /// `info version`; QMP's `query-version` said `package: "Debian 1:7.2+dfsg-7+deb12u18+b3"` (no space or parentheses
    /// in between).
    /// Sent as `info version`.
    static let version = crlf(
        #"""
        7.2.22Debian 1:7.2+dfsg-7+deb12u18+b3

        """#
    )

    /// `info block` under `-S` with: `-drive file=disk.qcow2,if=virtio,format=qcow2,cache=writethrough` (disk.qcow2
    /// backed by base.qcow2), `-drive if=ide,index=2,media=cdrom,file=a.iso`, `-drive if=ide,index=3,media=cdrom`
    /// (empty), `-drive if=none,id=ejcd,media=cdrom,file=b.iso,format=raw -device
    /// ide-cd,drive=ejcd,bus=ide.0,unit=0,id=cdrom0`, `-blockdev driver=file,filename=bd.qcow2,node-name=bdfile
    /// -blockdev driver=qcow2,file=bdfile,node-name=bd0 -device virtio-blk-pci,drive=bd0,id=vd1`, `-drive
    /// file=ro.img,if=virtio,format=raw,readonly=on`.
    /// Sent as `info block`.
    static let blockMixed = crlf(
        #"""
        virtio0 (#block180): /tmp/hmpcap/disk.qcow2 (qcow2)
            Attached to:      /machine/peripheral-anon/device[0]/virtio-backend
            Cache mode:       writethrough
            Backing file:     /tmp/hmpcap/base.qcow2 (chain depth: 1)

        ide1-cd0 (#block597): /root/.cache/qmpkit/guest/a.iso (raw, read-only)
            Attached to:      /machine/unattached/device[18]
            Removable device: not locked, tray closed
            Cache mode:       writeback

        ide1-cd1: [not inserted]
            Attached to:      /machine/unattached/device[19]
            Removable device: not locked, tray closed

        ejcd (#block723): /root/.cache/qmpkit/guest/b.iso (raw, read-only)
            Attached to:      cdrom0
            Removable device: not locked, tray closed
            Cache mode:       writeback

        virtio1 (#block995): /tmp/hmpcap/ro.img (raw, read-only)
            Attached to:      /machine/peripheral-anon/device[1]/virtio-backend
            Cache mode:       writeback

        bd0: /tmp/hmpcap/bd.qcow2 (qcow2)
            Attached to:      /machine/peripheral/vd1/virtio-backend
            Cache mode:       writeback

        """#
    )

    /// `info block` on the same QEMU as ``blockMixed`` after `eject ejcd`.
    /// Sent as `info block`.
    static let blockAfterEject = crlf(
        #"""
        virtio0 (#block180): /tmp/hmpcap/disk.qcow2 (qcow2)
            Attached to:      /machine/peripheral-anon/device[0]/virtio-backend
            Cache mode:       writethrough
            Backing file:     /tmp/hmpcap/base.qcow2 (chain depth: 1)

        ide1-cd0 (#block597): /root/.cache/qmpkit/guest/a.iso (raw, read-only)
            Attached to:      /machine/unattached/device[18]
            Removable device: not locked, tray closed
            Cache mode:       writeback

        ide1-cd1: [not inserted]
            Attached to:      /machine/unattached/device[19]
            Removable device: not locked, tray closed

        ejcd: [not inserted]
            Attached to:      cdrom0
            Removable device: not locked, tray open

        virtio1 (#block995): /tmp/hmpcap/ro.img (raw, read-only)
            Attached to:      /machine/peripheral-anon/device[1]/virtio-backend
            Cache mode:       writeback

        bd0: /tmp/hmpcap/bd.qcow2 (qcow2)
            Attached to:      /machine/peripheral/vd1/virtio-backend
            Cache mode:       writeback

        """#
    )

    /// `info block -v` on the same QEMU (after the eject): each inserted drive is followed by an `Images:` section.
    /// Sent as `info block -v`.
    static let blockVerbose = crlf(
        #"""
        virtio0 (#block180): /tmp/hmpcap/disk.qcow2 (qcow2)
            Attached to:      /machine/peripheral-anon/device[0]/virtio-backend
            Cache mode:       writethrough
            Backing file:     /tmp/hmpcap/base.qcow2 (chain depth: 1)

        Images:
        image: /tmp/hmpcap/disk.qcow2
        file format: qcow2
        virtual size: 64 MiB (67108864 bytes)
        disk size: 196 KiB
        cluster_size: 65536
        backing file: /tmp/hmpcap/base.qcow2
        backing file format: qcow2
        Format specific information:
            compat: 1.1
            compression type: zlib
            lazy refcounts: false
            refcount bits: 16
            corrupt: false
            extended l2: false
        image: /tmp/hmpcap/base.qcow2
        file format: qcow2
        virtual size: 64 MiB (67108864 bytes)
        disk size: 196 KiB
        cluster_size: 65536
        Format specific information:
            compat: 1.1
            compression type: zlib
            lazy refcounts: false
            refcount bits: 16
            corrupt: false
            extended l2: false

        ide1-cd0 (#block597): /root/.cache/qmpkit/guest/a.iso (raw, read-only)
            Attached to:      /machine/unattached/device[18]
            Removable device: not locked, tray closed
            Cache mode:       writeback

        Images:
        image: /root/.cache/qmpkit/guest/a.iso
        file format: raw
        virtual size: 364 KiB (372736 bytes)
        disk size: 364 KiB

        ide1-cd1: [not inserted]
            Attached to:      /machine/unattached/device[19]
            Removable device: not locked, tray closed

        ejcd: [not inserted]
            Attached to:      cdrom0
            Removable device: not locked, tray open

        virtio1 (#block995): /tmp/hmpcap/ro.img (raw, read-only)
            Attached to:      /machine/peripheral-anon/device[1]/virtio-backend
            Cache mode:       writeback

        Images:
        image: /tmp/hmpcap/ro.img
        file format: raw
        virtual size: 16 MiB (16777216 bytes)
        disk size: 4 KiB

        bd0: /tmp/hmpcap/bd.qcow2 (qcow2)
            Attached to:      /machine/peripheral/vd1/virtio-backend
            Cache mode:       writeback

        Images:
        image: /tmp/hmpcap/bd.qcow2
        file format: qcow2
        virtual size: 32 MiB (33554432 bytes)
        disk size: 196 KiB
        cluster_size: 65536
        Format specific information:
            compat: 1.1
            compression type: zlib
            lazy refcounts: false
            refcount bits: 16
            corrupt: false
            extended l2: false

        """#
    )

    /// `info block -n` on the same QEMU: every named node, protocol nodes included.
    /// Sent as `info block -n`.
    static let blockNodes = crlf(
        #"""
        #block995: /tmp/hmpcap/ro.img (raw, read-only)
            Cache mode:       writeback

        #block878: /tmp/hmpcap/ro.img (file, read-only)
            Cache mode:       writeback

        #block597: /root/.cache/qmpkit/guest/a.iso (raw, read-only)
            Cache mode:       writeback

        #block490: /root/.cache/qmpkit/guest/a.iso (file, read-only)
            Cache mode:       writeback

        #block332: /tmp/hmpcap/base.qcow2 (qcow2, read-only)
            Cache mode:       writeback

        #block265: /tmp/hmpcap/base.qcow2 (file, read-only)
            Cache mode:       writeback

        #block180: /tmp/hmpcap/disk.qcow2 (qcow2)
            Cache mode:       writeback
            Backing file:     /tmp/hmpcap/base.qcow2 (chain depth: 1)

        #block001: /tmp/hmpcap/disk.qcow2 (file)
            Cache mode:       writeback

        bd0: /tmp/hmpcap/bd.qcow2 (qcow2)
            Cache mode:       writeback

        bdfile: /tmp/hmpcap/bd.qcow2 (file)
            Cache mode:       writeback

        """#
    )

    /// `info block` of a booted guest that has mounted the CD (`-drive if=ide,index=2,media=cdrom,file=a.iso`), with
    /// `-drive file=direct.img,format=raw,if=virtio,cache=none,detect-zeroes=on` and `-drive
    /// file=none.img,format=raw,if=none,id=spare,cache=unsafe,throttling.bps-total=1048576,throttling.iops-total=100`.
    /// Sent as `info block`.
    static let blockBooted = crlf(
        #"""
        ide1-cd0 (#block162): /root/.cache/qmpkit/guest/a.iso (raw, read-only)
            Attached to:      /machine/unattached/device[21]
            Removable device: locked, tray closed
            Cache mode:       writeback

        virtio0 (#block324): /tmp/hmpcap/direct.img (raw)
            Attached to:      /machine/peripheral-anon/device[1]/virtio-backend
            Cache mode:       writeback, direct
            Detect zeroes:    on

        spare (#block571): /tmp/hmpcap/none.img (raw)
            Removable device: not locked, tray closed
            Cache mode:       writeback, ignore flushes
            I/O throttling:   bps=1048576 bps_rd=0 bps_wr=0 bps_max=0 bps_rd_max=0 bps_wr_max=0 iops=100 iops_rd=0 iops_wr=0 iops_max=0 iops_rd_max=0 iops_wr_max=0 iops_size=0 group=spare

        """#
    )

    /// `info block` under `-S` with: `-device ide-cd,id=cdx,bus=ide.1` (no drive), a LUKS image `-drive
    /// file=enc.luks,format=luks,key-secret=sec0,if=virtio`, `-blockdev` qcow2 with a backing file behind `-device
    /// virtio-blk-pci,drive=dtop,id=vd2`, `-drive if=none,id=scd,media=cdrom,file=a.iso,format=raw -device
    /// scsi-cd,drive=scd,id=scsicd` on virtio-scsi, `-drive
    /// if=none,id=unatt,file=ro.img,format=raw,werror=stop,rerror=stop` (attached to nothing).
    /// Sent as `info block`.
    static let blockMore = crlf(
        #"""
        virtio0 (#block362): json:{"driver": "luks", "file": {"driver": "file", "filename": "/tmp/hmpcap/enc.luks"}, "key-secret": "sec0"} (luks, encrypted)
            Attached to:      /machine/peripheral-anon/device[0]/virtio-backend
            Cache mode:       writeback

        scd (#block563): /root/.cache/qmpkit/guest/a.iso (raw, read-only)
            Attached to:      scsicd
            Removable device: not locked, tray closed
            Cache mode:       writeback

        unatt (#block732): /tmp/hmpcap/ro.img (raw)
            Removable device: not locked, tray closed
            Cache mode:       writeback

        cdx: [not inserted]
            Attached to:      cdx
            Removable device: not locked, tray closed

        dtop: /tmp/hmpcap/disk.qcow2 (qcow2)
            Attached to:      /machine/peripheral/vd2/virtio-backend
            Cache mode:       writeback
            Backing file:     /tmp/hmpcap/base.qcow2 (chain depth: 1)

        """#
    )

    /// `info block scd` (one device) on the same QEMU as ``blockMore``: note the leading empty line.
    /// Sent as `info block scd`.
    static let blockOneDevice = crlf(
        #"""

        scd (#block563): /root/.cache/qmpkit/guest/a.iso (raw, read-only)
            Attached to:      scsicd
            Removable device: not locked, tray closed
            Cache mode:       writeback

        """#
    )

    /// `info block scd` after `eject -f scd`.
    /// Sent as `info block scd`.
    static let blockOneDeviceEjected = crlf(
        #"""

        scd: [not inserted]
            Attached to:      scsicd
            Removable device: not locked, tray open

        """#
    )

    /// `info pci` of a booted guest with `-device VGA`, virtio-balloon-pci (`id=balloon0`), virtio-blk, virtio-net-pci
    /// (`id=nic0`), rtl8139 (from `-net nic`), e1000 (`id=nonet`), and `-device pci-bridge,id=br1,chassis_nr=1 -device
    /// virtio-rng-pci,bus=br1,addr=0x3,id=rng1`.
    /// Sent as `info pci`.
    static let pciBooted = crlf(
        #"""
          Bus  0, device   0, function 0:
            Host bridge: PCI device 8086:1237
              PCI subsystem 1af4:1100
              id ""
          Bus  0, device   1, function 0:
            ISA bridge: PCI device 8086:7000
              PCI subsystem 1af4:1100
              id ""
          Bus  0, device   1, function 1:
            IDE controller: PCI device 8086:7010
              PCI subsystem 1af4:1100
              BAR4: I/O at 0xd220 [0xd22f].
              id ""
          Bus  0, device   1, function 3:
            Bridge: PCI device 8086:7113
              PCI subsystem 1af4:1100
              IRQ 9, pin A
              id ""
          Bus  0, device   2, function 0:
            Ethernet controller: PCI device 10ec:8139
              PCI subsystem 1af4:1100
              IRQ 10, pin A
              BAR0: I/O at 0xd000 [0xd0ff].
              BAR1: 32 bit memory at 0xfeaf0000 [0xfeaf00ff].
              BAR6: 32 bit memory at 0xffffffffffffffff [0x0003fffe].
              id ""
          Bus  0, device   3, function 0:
            VGA controller: PCI device 1234:1111
              PCI subsystem 1af4:1100
              BAR0: 32 bit prefetchable memory at 0xfd000000 [0xfdffffff].
              BAR2: 32 bit memory at 0xfeaf1000 [0xfeaf1fff].
              BAR6: 32 bit memory at 0xffffffffffffffff [0x0000fffe].
              id ""
          Bus  0, device   4, function 0:
            Class 0255: PCI device 1af4:1002
              PCI subsystem 1af4:0005
              IRQ 11, pin A
              BAR0: I/O at 0xd180 [0xd1bf].
              BAR4: 64 bit prefetchable memory at 0xfe200000 [0xfe203fff].
              id "balloon0"
          Bus  0, device   5, function 0:
            Ethernet controller: PCI device 1af4:1000
              PCI subsystem 1af4:0001
              IRQ 10, pin A
              BAR0: I/O at 0xd200 [0xd21f].
              BAR1: 32 bit memory at 0xfeaf2000 [0xfeaf2fff].
              BAR4: 64 bit prefetchable memory at 0xfe204000 [0xfe207fff].
              BAR6: 32 bit memory at 0xffffffffffffffff [0x0003fffe].
              id "nic0"
          Bus  0, device   6, function 0:
            Ethernet controller: PCI device 8086:100e
              PCI subsystem 1af4:1100
              IRQ 10, pin A
              BAR0: 32 bit memory at 0xfeac0000 [0xfeadffff].
              BAR1: I/O at 0xd1c0 [0xd1ff].
              BAR6: 32 bit memory at 0xffffffffffffffff [0x0003fffe].
              id "nonet"
          Bus  0, device   7, function 0:
            PCI bridge: PCI device 1b36:0001
              IRQ 11, pin A
              BUS 0.
              secondary bus 1.
              subordinate bus 1.
              IO range [0xc000, 0xcfff]
              memory range [0xfe800000, 0xfe9fffff]
              prefetchable memory range [0xfe000000, 0xfe1fffff]
              BAR0: 64 bit memory at 0xfeaf3000 [0xfeaf30ff].
              id "br1"
          Bus  1, device   3, function 0:
            Class 0255: PCI device 1af4:1005
              PCI subsystem 1af4:0004
              IRQ 10, pin A
              BAR0: I/O at 0xc000 [0xc01f].
              BAR1: 32 bit memory at 0xfe800000 [0xfe800fff].
              BAR4: 64 bit prefetchable memory at 0xfe000000 [0xfe003fff].
              id "rng1"
          Bus  0, device   8, function 0:
            SCSI controller: PCI device 1af4:1001
              PCI subsystem 1af4:0002
              IRQ 11, pin A
              BAR0: I/O at 0xd100 [0xd17f].
              BAR1: 32 bit memory at 0xfeaf4000 [0xfeaf4fff].
              BAR4: 64 bit prefetchable memory at 0xfe208000 [0xfe20bfff].
              id ""

        """#
    )

    /// `info pci` of `-nodefaults -S -M pc`: the firmware has not assigned BARs yet (QEMU 7.2 prints the unmapped
    /// address as all ones).
    /// Sent as `info pci`.
    static let pciPrelaunch = crlf(
        #"""
          Bus  0, device   0, function 0:
            Host bridge: PCI device 8086:1237
              PCI subsystem 1af4:1100
              id ""
          Bus  0, device   1, function 0:
            ISA bridge: PCI device 8086:7000
              PCI subsystem 1af4:1100
              id ""
          Bus  0, device   1, function 1:
            IDE controller: PCI device 8086:7010
              PCI subsystem 1af4:1100
              BAR4: I/O at 0xffffffffffffffff [0x000e].
              id ""
          Bus  0, device   1, function 3:
            Bridge: PCI device 8086:7113
              PCI subsystem 1af4:1100
              IRQ 0, pin A
              id ""

        """#
    )

    /// `info network` with `-netdev user,id=n0 -device virtio-net-pci,netdev=n0,id=nic0,mac=52:54:00:12:34:56`, `-net
    /// nic,model=rtl8139 -net user` (hub 0), `-netdev user,id=lonely` (no NIC) and `-device e1000,id=nonet` (no
    /// netdev).
    /// Sent as `info network`.
    static let networkBooted = crlf(
        #"""
        hub 0
         \ hub0port1: #net177: index=0,type=user,net=10.0.2.0,restrict=off
         \ hub0port0: rtl8139.0: index=0,type=nic,model=rtl8139,macaddr=52:54:00:12:34:56
        lonely: index=0,type=user,net=10.0.2.0,restrict=off
        nic0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:12:34:56
         \ n0: index=0,type=user,net=10.0.2.0,restrict=off
        nonet: index=0,type=nic,model=e1000,macaddr=52:54:00:12:34:57

        """#
    )

    /// `info network` under `-S` with a user netdev `n0` behind virtio-net-pci `nic0` carrying `-object
    /// filter-buffer,id=f0,netdev=n0,interval=100000` and `-object
    /// filter-dump,id=f1,netdev=n0,file=dump.pcap,queue=rx`, a socket netdev `s0` (listening) behind e1000 `nic1`, hub
    /// 1 with ports `hp1` (behind rtl8139 `nic2`) and `hp2` (nothing), and `-nic
    /// user,model=virtio-net-pci,mac=52:54:00:00:00:99`.
    /// Sent as `info network`.
    static let networkFilters = crlf(
        #"""
        hub 1
         \ hp2
         \ hp1: nic2: index=0,type=nic,model=rtl8139,macaddr=52:54:00:12:34:57
        virtio-net-pci.0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:00:00:99
         \ #net073: index=0,type=user,net=10.0.2.0,restrict=off
        nic0: index=0,type=nic,model=virtio-net-pci,macaddr=52:54:00:12:34:56
         \ n0: index=0,type=user,net=10.0.2.0,restrict=off
        filters:
          - f0: type=filter-buffer,interval=100000,position=tail,status=on,insert=behind,netdev=n0,queue=all
          - f1: type=filter-dump,file=/tmp/hmpcap/dump.pcap,maxlen=65536,position=tail,status=on,insert=behind,netdev=n0,queue=rx
        nic1: index=0,type=nic,model=e1000,macaddr=52:54:00:aa:bb:cc
         \ s0: index=0,type=socket,

        """#
    )

    /// `info cpus` with `-smp 2` (TCG, booted).
    /// Sent as `info cpus`.
    static let cpusTwo = crlf(
        #"""
        * CPU #0: thread_id=2485
          CPU #1: thread_id=2486

        """#
    )

    /// `info cpus` with `-smp 2` sent with `cpu-index: 1`.
    /// Sent as `info cpus` with `cpu-index: 1`.
    static let cpusTwoCPU1 = crlf(
        #"""
          CPU #0: thread_id=2485
        * CPU #1: thread_id=2486

        """#
    )

    /// `info cpus` with one CPU under `-S`.
    /// Sent as `info cpus`.
    static let cpusOne = crlf(
        #"""
        * CPU #0: thread_id=2946

        """#
    )

    /// `info balloon` with `-m 256 -device virtio-balloon-pci,id=balloon0`, booted.
    /// Sent as `info balloon`.
    static let balloon256 = crlf(
        #"""
        balloon: actual=256

        """#
    )

    /// `info balloon` three seconds after `balloon 128`.
    /// Sent as `info balloon`.
    static let balloon128 = crlf(
        #"""
        balloon: actual=128

        """#
    )

    /// `info balloon` without a balloon device.
    /// Sent as `info balloon`.
    static let balloonMissing = crlf(
        #"""
        Error: No balloon device has been activated

        """#
    )

    /// `info stat`: QEMU takes no abbreviations of `info` subcommands.
    /// Sent as `info stat`.
    static let unknownCommand = crlf(
        #"""
        unknown command: 'info stat'

        """#
    )

    /// `info status extra`.
    /// Sent as `info status extra`.
    static let extraneousArguments = crlf(
        #"""
        status: extraneous characters at the end of line
        Try "help info status" for more information

        """#
    )

    /// `info block` of `-nodefaults -S -M pc`: no drives, no text at all.
    /// Sent as `info block`.
    static let blockNone = ""

    /// `info network` of `-nodefaults -S -M pc`: no NICs or netdevs, no text at all.
    /// Sent as `info network`.
    static let networkNone = ""

    /// `i status`: `i` is not short for `info` but the I/O port read command.
    /// Sent as `i status`.
    static let invalidExpression = crlf(
        #"""
        invalid char 's' in expression
        Try "help i" for more information

        """#
    )

    /// `info` alone: the list of `info` subcommands (text that no parser here should take for a result).
    /// Sent as `info`.
    static let infoListing = crlf(
        #"""
        info balloon  -- show balloon information
        info block [-n] [-v] [device] -- show info of one block device or all block devices (-n: show named nodes; -v: show details)
        info block-jobs  -- show progress of ongoing block device operations
        info blockstats  -- show block device statistics
        info capture  -- show capture information
        info chardev  -- show the character devices
        info cpus  -- show infos for each CPU
        info dirty_rate  -- show dirty rate information
        info dump  -- Display the latest dump status
        info history  -- show the command line history
        info hotpluggable-cpus  -- Show information about hotpluggable CPUs
        info iothreads  -- show iothreads
        info irq  -- show the interrupts statistics (if available)
        info jit  -- show dynamic compiler info
        info kvm  -- show KVM information
        info lapic [apic-id] -- show local apic state (apic-id: local apic to read, default is which of current CPU)
        info mem  -- show the active virtual memory mappings
        info memdev  -- show memory backends
        info memory-devices  -- show memory devices
        info memory_size_summary  -- show the amount of initially allocated and present hotpluggable (if enabled) memory in bytes.
        info mice  -- show which guest mouse is receiving events
        info migrate  -- show migration status
        info migrate_capabilities  -- show current migration capabilities
        info migrate_parameters  -- show current migration parameters
        info mtree [-f][-d][-o][-D] -- show memory tree (-f: dump flat view for address spaces;-d: dump dispatch tree, valid with -f only);-o: dump region owners/parents;-D: dump disabled regions
        info name  -- show the current VM name
        info network  -- show the network state
        info numa  -- show NUMA information
        info opcount  -- show dynamic compiler opcode counters
        info pci  -- show PCI info
        info pic  -- show PIC state
        info profile  -- show profiling information
        info qdm  -- show qdev device model list
        info qom-tree [path] -- show QOM composition tree
        info qtree  -- show device tree
        info ramblock  -- Display system ramblock information
        info rdma  -- show RDMA state
        info registers [-a|vcpu] -- show the cpu registers (-a: show register info for all cpus; vcpu: specific vCPU to query; show the current CPU's registers if no argument is specified)
        info replay  -- show record/replay information
        info rocker name -- Show rocker switch
        info rocker-of-dpa-flows name [tbl_id] -- Show rocker OF-DPA flow tables
        info rocker-of-dpa-groups name [type] -- Show rocker OF-DPA groups
        info rocker-ports name -- Show rocker ports
        info roms  -- show roms
        info sev  -- show SEV information
        info sgx  -- show intel SGX information
        info snapshots  -- show the currently saved VM snapshots
        info spice  -- show the spice server status
        info stats target [names] [provider] -- show statistics for the given target (vm or vcpu); optionally filter byname (comma-separated list, or * for all) and provider
        info status  -- show the current VM status (running|paused)
        info sync-profile [-m] [-n] [max] -- show synchronization profiling info, up to max entries (default: 10), sorted by total wait time. (-m: sort by mean wait time; -n: do not coalesce objects with the same call site)
        info tlb  -- show virtual to physical memory mappings
        info tpm  -- show the TPM device
        info trace-events [name] [vcpu] -- show available trace-events & their state (name: event name pattern; vcpu: vCPU to query, default is any)
        info usb  -- show guest USB devices
        info usbhost  -- show host USB devices
        info usernet  -- show user network stack connection states
        info uuid  -- show the current VM UUID
        info vcpu_dirty_limit  -- show dirty page limit information of all vCPU
        info version  -- show the version of QEMU
        info virtio  -- List all available virtio devices
        info virtio-queue-element path queue [index] -- Display element of a given virtio queue
        info virtio-queue-status path queue -- Display status of a given virtio queue
        info virtio-status path -- Display status of a given virtio device
        info virtio-vhost-queue-status path queue -- Display status of a given vhost queue
        info vm-generation-id  -- Show Virtual Machine Generation ID
        info vnc  -- show the vnc server status

        """#
    )

    /// `eject ide1-cd0` while the guest has the CD mounted.
    /// Sent as `eject ide1-cd0`.
    static let lockedEject = crlf(
        #"""
        Error: Device 'ide1-cd0' is locked and force was not specified, wait for tray to open and try again

        """#
    )

    /// The text with every "\n" turned into "\r\n", as QEMU ends its lines.
    static func crlf(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }

    /// The text with "\r\n" turned back into "\n" (the form a plain HMP socket reader may hand over).
    static func lf(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" })
    }
}
