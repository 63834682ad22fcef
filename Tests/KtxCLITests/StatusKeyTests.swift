import Foundation
import Store
import Testing
import TestSupport

/// `ktx status` shows this PC's key fingerprint, to read out on the phone to the county.
@Suite struct StatusKeyTests {
    @Test func statusShowsTheKeyFingerprintOfThisReplica() throws {
        let dir = TemporaryDirectory("status-key")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        let key = try Store.open(at: dir.file("a.db")).publicKey()
        #expect(key.fingerprint.range(of: "^[0-9a-f]{4}(-[0-9a-f]{4}){3}$", options: .regularExpression) != nil)
        #expect(key.fingerprint == Store.fingerprint(of: key.key))
        let json = try JSONSerialization.jsonObject(with: Data(try ktx.ok(["status", "--format", "json"]).utf8)) as! [String: Any]
        #expect(json["key_fingerprint"] as? String == key.fingerprint)
        #expect(try ktx.ok(["status", "--lang", "zh"]).contains("密钥指纹：\(key.fingerprint)"))
    }
}
