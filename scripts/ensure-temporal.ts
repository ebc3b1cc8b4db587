import { findOrBuildTemporal } from './support/temporal-binary';

// Prints the path of a usable `temporal` binary, building it once per machine when none exists.
console.log(findOrBuildTemporal());
