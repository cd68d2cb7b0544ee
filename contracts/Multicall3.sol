// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title Multicall3 (subset)
/// @notice The aggregate3 / getEthBalance subset of mds1's Multicall3 that viem's multicall uses.
///         The devnet fixtures place this code at the canonical Multicall3 address so the same
///         batching path runs on the devnet as on Cronos.
contract Multicall3 {
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    struct Result {
        bool success;
        bytes returnData;
    }

    function aggregate3(Call3[] calldata calls) external payable returns (Result[] memory returnData) {
        uint256 length = calls.length;
        returnData = new Result[](length);
        for (uint256 i = 0; i < length; i++) {
            Call3 calldata call = calls[i];
            (bool success, bytes memory ret) = call.target.call(call.callData);
            if (!success && !call.allowFailure) {
                assembly {
                    revert(add(ret, 32), mload(ret))
                }
            }
            returnData[i] = Result(success, ret);
        }
    }

    function getEthBalance(address addr) external view returns (uint256 balance) {
        balance = addr.balance;
    }

    function getBlockNumber() external view returns (uint256 blockNumber) {
        blockNumber = block.number;
    }

    function getCurrentBlockTimestamp() external view returns (uint256 timestamp) {
        timestamp = block.timestamp;
    }
}
