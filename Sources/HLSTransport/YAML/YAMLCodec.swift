import HLSCore
