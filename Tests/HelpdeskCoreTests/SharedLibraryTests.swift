import Foundation
import HelpdeskCore
import Testing

/// Opening a C library when it is first needed: its functions callable, and a sentence naming the
/// library when it or a function is missing.
@Suite struct SharedLibraryTests {
    @Test func aFunctionLookedUpByNameIsTheLibrarysOwn() throws {
        let libc = try SharedLibrary("libc.so.6")
        let length = try libc.function("strlen", as: (@convention(c) (UnsafePointer<CChar>?) -> Int).self)
        #expect(length("helpdesk") == 8)
    }

    @Test func aMissingLibraryIsNamedWithTheSystemsReason() {
        #expect {
            try SharedLibrary("libhelpdesk-absent.so.9")
        } throws: { error in
            let text = String(describing: error)
            return text.hasPrefix("libhelpdesk-absent.so.9 could not be loaded:") && text.contains("No such file")
        }
    }

    @Test func aMissingFunctionIsNamedWithTheFileTheSystemOpened() throws {
        let libc = try SharedLibrary("libc.so.6")
        #expect {
            try libc.function("helpdesk_no_such_function", as: UnsafeMutableRawPointer.self)
        } throws: { error in
            let text = String(describing: error)
            return text.hasPrefix("libc.so.6 could not be loaded: /") && text.hasSuffix("/libc.so.6 has no function helpdesk_no_such_function")
        }
    }
}
