// The shared core is part of SyncCore's surface: whoever imports SyncCore has the model.
@_exported import KtxCore
