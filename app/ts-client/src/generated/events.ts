/**
 * Written by scripts/generate.mjs from the IDL's events: DO NOT EDIT.
 * Each event's discriminator (the 8 bytes after Anchor's event-CPI tag)
 * and the Codama decoder of its fields.
 */

import type { Decoder } from "@solana/kit";
import {
  getAdminAcceptedDecoder,
  type AdminAccepted,
  getAdminProposedDecoder,
  type AdminProposed,
  getConfigInitializedDecoder,
  type ConfigInitialized,
  getConfigUpdatedDecoder,
  type ConfigUpdated,
  getCrankSetDecoder,
  type CrankSet,
  getCreatorFramesRenderedDecoder,
  type CreatorFramesRendered,
  getCreatorRechargedDecoder,
  type CreatorRecharged,
  getCreatorSpentDecoder,
  type CreatorSpent,
  getMemberCreatedDecoder,
  type MemberCreated,
  getMemberReinstatedDecoder,
  type MemberReinstated,
  getOracleChangedDecoder,
  type OracleChanged,
  getPassBurnSyncedDecoder,
  type PassBurnSynced,
  getPassClaimedDecoder,
  type PassClaimed,
  getPassRevokedDecoder,
  type PassRevoked,
  getPausedSetDecoder,
  type PausedSet,
  getRewardForfeitedDecoder,
  type RewardForfeited,
  getRewardFundedDecoder,
  type RewardFunded,
  getRewardWithdrawnDecoder,
  type RewardWithdrawn,
  getRewardsCreditedDecoder,
  type RewardsCredited,
  getRewardsSettledDecoder,
  type RewardsSettled,
  getRoundAbandonedDecoder,
  type RoundAbandoned,
  getRoundBatchRankedDecoder,
  type RoundBatchRanked,
  getRoundFinalisedDecoder,
  type RoundFinalised,
  getRoundNumbersRaisedDecoder,
  type RoundNumbersRaised,
  getRoundOpenedDecoder,
  type RoundOpened,
  getScoreFrozenDecoder,
  type ScoreFrozen,
  getWorkerDayReportedDecoder,
  type WorkerDayReported,
  getWorkerGpuReportedDecoder,
  type WorkerGpuReported,
} from "./types";

/** A decoded event of the program: its IDL name and its fields. */
export type PictorVipEvent =
  | { name: "AdminAccepted"; data: AdminAccepted }
  | { name: "AdminProposed"; data: AdminProposed }
  | { name: "ConfigInitialized"; data: ConfigInitialized }
  | { name: "ConfigUpdated"; data: ConfigUpdated }
  | { name: "CrankSet"; data: CrankSet }
  | { name: "CreatorFramesRendered"; data: CreatorFramesRendered }
  | { name: "CreatorRecharged"; data: CreatorRecharged }
  | { name: "CreatorSpent"; data: CreatorSpent }
  | { name: "MemberCreated"; data: MemberCreated }
  | { name: "MemberReinstated"; data: MemberReinstated }
  | { name: "OracleChanged"; data: OracleChanged }
  | { name: "PassBurnSynced"; data: PassBurnSynced }
  | { name: "PassClaimed"; data: PassClaimed }
  | { name: "PassRevoked"; data: PassRevoked }
  | { name: "PausedSet"; data: PausedSet }
  | { name: "RewardForfeited"; data: RewardForfeited }
  | { name: "RewardFunded"; data: RewardFunded }
  | { name: "RewardWithdrawn"; data: RewardWithdrawn }
  | { name: "RewardsCredited"; data: RewardsCredited }
  | { name: "RewardsSettled"; data: RewardsSettled }
  | { name: "RoundAbandoned"; data: RoundAbandoned }
  | { name: "RoundBatchRanked"; data: RoundBatchRanked }
  | { name: "RoundFinalised"; data: RoundFinalised }
  | { name: "RoundNumbersRaised"; data: RoundNumbersRaised }
  | { name: "RoundOpened"; data: RoundOpened }
  | { name: "ScoreFrozen"; data: ScoreFrozen }
  | { name: "WorkerDayReported"; data: WorkerDayReported }
  | { name: "WorkerGpuReported"; data: WorkerGpuReported };

/** Every event: name, discriminator, decoder. */
export const PICTOR_VIP_EVENTS: ReadonlyArray<{
  name: PictorVipEvent["name"];
  discriminator: Uint8Array;
  decoder: () => Decoder<PictorVipEvent["data"]>;
}> = [
  { name: "AdminAccepted", discriminator: new Uint8Array([174, 12, 76, 139, 158, 99, 110, 254]), decoder: getAdminAcceptedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "AdminProposed", discriminator: new Uint8Array([129, 249, 226, 227, 199, 82, 110, 243]), decoder: getAdminProposedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "ConfigInitialized", discriminator: new Uint8Array([181, 49, 200, 156, 19, 167, 178, 91]), decoder: getConfigInitializedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "ConfigUpdated", discriminator: new Uint8Array([40, 241, 230, 122, 11, 19, 198, 194]), decoder: getConfigUpdatedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "CrankSet", discriminator: new Uint8Array([126, 145, 123, 18, 233, 39, 106, 182]), decoder: getCrankSetDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "CreatorFramesRendered", discriminator: new Uint8Array([228, 171, 117, 185, 181, 157, 129, 83]), decoder: getCreatorFramesRenderedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "CreatorRecharged", discriminator: new Uint8Array([68, 146, 202, 70, 133, 25, 38, 221]), decoder: getCreatorRechargedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "CreatorSpent", discriminator: new Uint8Array([170, 111, 30, 142, 183, 255, 181, 244]), decoder: getCreatorSpentDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "MemberCreated", discriminator: new Uint8Array([119, 191, 116, 88, 44, 173, 169, 211]), decoder: getMemberCreatedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "MemberReinstated", discriminator: new Uint8Array([86, 207, 166, 145, 40, 167, 130, 162]), decoder: getMemberReinstatedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "OracleChanged", discriminator: new Uint8Array([151, 212, 213, 104, 49, 131, 55, 23]), decoder: getOracleChangedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "PassBurnSynced", discriminator: new Uint8Array([86, 190, 187, 37, 141, 10, 8, 142]), decoder: getPassBurnSyncedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "PassClaimed", discriminator: new Uint8Array([83, 62, 77, 28, 135, 219, 55, 26]), decoder: getPassClaimedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "PassRevoked", discriminator: new Uint8Array([162, 114, 40, 26, 196, 36, 38, 244]), decoder: getPassRevokedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "PausedSet", discriminator: new Uint8Array([171, 125, 127, 156, 233, 81, 68, 66]), decoder: getPausedSetDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RewardForfeited", discriminator: new Uint8Array([33, 54, 198, 71, 59, 136, 180, 168]), decoder: getRewardForfeitedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RewardFunded", discriminator: new Uint8Array([71, 33, 107, 60, 146, 209, 7, 175]), decoder: getRewardFundedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RewardWithdrawn", discriminator: new Uint8Array([136, 100, 204, 104, 198, 133, 84, 136]), decoder: getRewardWithdrawnDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RewardsCredited", discriminator: new Uint8Array([199, 88, 44, 169, 191, 178, 63, 58]), decoder: getRewardsCreditedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RewardsSettled", discriminator: new Uint8Array([196, 164, 246, 78, 118, 101, 150, 251]), decoder: getRewardsSettledDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RoundAbandoned", discriminator: new Uint8Array([244, 100, 135, 140, 189, 183, 198, 3]), decoder: getRoundAbandonedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RoundBatchRanked", discriminator: new Uint8Array([103, 65, 164, 27, 183, 137, 151, 217]), decoder: getRoundBatchRankedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RoundFinalised", discriminator: new Uint8Array([200, 154, 212, 27, 255, 226, 191, 183]), decoder: getRoundFinalisedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RoundNumbersRaised", discriminator: new Uint8Array([81, 94, 148, 189, 79, 154, 148, 127]), decoder: getRoundNumbersRaisedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "RoundOpened", discriminator: new Uint8Array([99, 173, 228, 72, 142, 57, 109, 178]), decoder: getRoundOpenedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "ScoreFrozen", discriminator: new Uint8Array([57, 95, 227, 117, 92, 143, 19, 248]), decoder: getScoreFrozenDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "WorkerDayReported", discriminator: new Uint8Array([1, 229, 173, 121, 137, 17, 51, 139]), decoder: getWorkerDayReportedDecoder as () => Decoder<PictorVipEvent["data"]> },
  { name: "WorkerGpuReported", discriminator: new Uint8Array([26, 16, 61, 191, 58, 123, 131, 15]), decoder: getWorkerGpuReportedDecoder as () => Decoder<PictorVipEvent["data"]> },
];
