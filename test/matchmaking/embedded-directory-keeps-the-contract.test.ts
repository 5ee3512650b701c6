import { embeddedRoomDirectory } from '../../engine-plugin/src/index';
import { describeRoomDirectoryContract } from '../support/room-directory-contract';

describeRoomDirectoryContract('embedded', () => embeddedRoomDirectory());
