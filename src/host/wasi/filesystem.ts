// `wasi:filesystem/{types,preopens}@0.2.0` with no preopened directories, as Spin gives a component
// without `files`. Nothing can be opened, so no descriptor ever exists; the classes are here because
// components import them. (preview2-shim's filesystem would also do, but importing it starts its
// synchronous I/O worker thread in every one of our workers.)
import { ComponentError } from '../errors.ts';

const denied = (): ComponentError => new ComponentError({ tag: 'bad-descriptor' }, 'no filesystem');

class Descriptor {
  // Every method a component could reach on a descriptor it cannot have.
  readViaStream(): never {
    throw denied();
  }
  writeViaStream(): never {
    throw denied();
  }
  appendViaStream(): never {
    throw denied();
  }
  getType(): never {
    throw denied();
  }
  getFlags(): never {
    throw denied();
  }
  stat(): never {
    throw denied();
  }
}

class DirectoryEntryStream {
  readDirectoryEntry(): never {
    throw denied();
  }
}

export function createFilesystemImports() {
  return {
    'wasi:filesystem/preopens': { getDirectories: (): [Descriptor, string][] => [] },
    'wasi:filesystem/types': {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: (): undefined => undefined,
    },
  };
}
