"""Analysis on NetworkX graphs: supply-chain risk and word-of-mouth reach; never talks to the driver."""
