import { type OffboardIdentityInput, type RevokeKubeconfigInput } from '../../common/types';
import { type PurgeFromRecycleBinInput, type UndoOffboardingInput } from '../../common/undo';

/** The inputs of the workflows that run as a `Run`: what the board, the trust and the reminders read of them. */
export type RunInput = OffboardIdentityInput | RevokeKubeconfigInput | UndoOffboardingInput | PurgeFromRecycleBinInput;
