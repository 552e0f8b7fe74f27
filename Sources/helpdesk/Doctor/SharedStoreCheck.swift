import Foundation

/// For a set-group-id install: the store's folder and file belong to the helpdesk group with the
/// modes that let every operator's process write what another one created.
enum SharedStoreCheck {
    static func check(store path: String) -> DoctorCheck {
        let folder = (path as NSString).deletingLastPathComponent
        let group = groupName(getegid())
        var problems: [String] = []
        if let info = status(folder) {
            if info.st_gid != getegid() { problems.append("the folder \(folder) is not of group \(group)") }
            if info.st_mode & 0o2070 != 0o2070 { problems.append("the folder's mode is \(octal(info.st_mode)), not 2770") }
        }
        if let info = status(path) {
            if info.st_gid != getegid() { problems.append("the file is not of group \(group)") }
            if info.st_mode & 0o060 != 0o060 { problems.append("the file's mode is \(octal(info.st_mode)), not 660") }
        }
        guard problems.isEmpty else {
            return .failed("store sharing", problems.joined(separator: "; "),
                           fix: "chgrp \(group) \(folder) \(path) && chmod 2770 \(folder) && chmod 660 \(path)")
        }
        return .passed("store sharing", "folder and file belong to group \(group), writable by it")
    }

    private static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    private static func octal(_ mode: mode_t) -> String {
        String(mode & 0o7777, radix: 8)
    }

    private static func groupName(_ id: gid_t) -> String {
        guard let record = getgrgid(id), let name = record.pointee.gr_name else { return String(id) }
        return String(cString: name)
    }
}
