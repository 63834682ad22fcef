import Foundation
import PackagePlugin

/// Generates `ktx record`'s quantity options from `Schema/catalog.json` at build time, so a
/// metric added to the catalog is an option without a second list to keep in step.
@main
struct CatalogOptions: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let catalog = context.package.directoryURL.appending(path: "Schema/catalog.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "QuantityOptions.swift")
        return [
            .buildCommand(displayName: "Quantity options from Schema/catalog.json",
                          executable: try context.tool(named: "catalog-options").url,
                          arguments: [catalog.path, output.path],
                          inputFiles: [catalog],
                          outputFiles: [output])
        ]
    }
}
