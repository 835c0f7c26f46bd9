"""Pages of the network layer, one module per sub-domain (as ``network.models``)."""
