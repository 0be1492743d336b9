# shellcheck shell=sh
# disks.sh — prepares the data disk the inventory declares (`data_disk` with `data_mount`): an
# ext4 file system with our label when the disk holds nothing, ONE /etc/fstab line (by UUID,
# defaults,nofail), and the mount. A disk that already holds anything else (a file system, a
# partition table, whatever `blkid -p` finds) is never written: the run fails, naming it.
#
# Parameters (preamble):
#   HLSH_NODE          the node's name, for messages
#   HLSH_DATA_DEVICE   the disk as the VM's bus and slot name it (/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_drive-scsi1);
#                      empty: the inventory declares no data disk for this node, nothing to do
#   HLSH_DATA_MOUNT    where it is mounted (/var/lib/longhorn)
#   HLSH_DATA_LABEL    the ext4 label that marks the file system as ours (at most 16 bytes)
# shellcheck disable=SC2154  # the parameters come from the preamble

require HLSH_NODE
HLSH_DATA_DEVICE=${HLSH_DATA_DEVICE:-}
if [ -z "$HLSH_DATA_DEVICE" ]; then
    ok data-disk "none declared in the inventory (data_disk with data_mount)"
    finish
fi
require HLSH_DATA_MOUNT HLSH_DATA_LABEL
mnt=$HLSH_DATA_MOUNT label=$HLSH_DATA_LABEL

if [ ! -e "$R$HLSH_DATA_DEVICE" ]; then
    failed data-disk "$HLSH_NODE has no $HLSH_DATA_DEVICE, the data disk the inventory declares for $mnt (is the VM's data disk allocated? vm plan $HLSH_NODE shows it, vm apply $HLSH_NODE allocates it)"
    finish
fi
# The kernel's name (/dev/sdb), as blkid and the mount table give it.
dev=$(readlink -f "$R$HLSH_DATA_DEVICE")
dev=${dev#"$R"}

# --- the file system: ours (ext4 with our label), made on an empty disk, or a refusal ----------

# probe — what `blkid -p` (the low-level probe: superblocks and partition tables, no cache) finds
# on the disk, as KEY=VALUE lines in $hlsh_work/run.out; 2 when it finds nothing.
probe() {
    run blkid -p -o export "$R$dev"
}

probe
probed=$run_status
found=$(grep -v '^DEVNAME=' "$hlsh_work/run.out" | tr '\n' ' ' | sed 's/ *$//')
made=
if [ "$probed" = 0 ] && grep -qx 'TYPE=ext4' "$hlsh_work/run.out" && grep -qx "LABEL=$label" "$hlsh_work/run.out"; then
    ok data-disk "$dev: ext4 labelled $label"
elif [ "$probed" != 2 ]; then
    failed data-disk "refusing to format $dev ($HLSH_DATA_DEVICE) on $HLSH_NODE: blkid finds ${found:-an unreadable disk (exit $probed)}; hint: if nothing on it is needed, wipe it on the node (sudo wipefs -a $dev) and run again, or remove data_mount from the inventory"
    finish
elif checking; then
    would data-disk "create an ext4 file system labelled $label on $dev (empty)"
elif run mkfs.ext4 -q -L "$label" "$R$dev"; then
    changed data-disk "created an ext4 file system labelled $label on $dev"
    made=1
else
    failed data-disk "mkfs.ext4 $dev: $run_output"
    finish
fi

# --- /etc/fstab: one line for the mount point, by UUID, nofail so a missing disk never stops a boot

uuid=
if [ "$probed" = 0 ] || [ -n "$made" ]; then
    if run blkid -p -s UUID -o value "$R$dev"; then
        uuid=$(cat "$hlsh_work/run.out")
    else
        failed fstab "blkid cannot read the UUID of $dev: $run_output"
        finish
    fi
fi
fstab="$R/etc/fstab"
want="UUID=${uuid:-<new>} $mnt ext4 defaults,nofail 0 2"
have=
[ -f "$fstab" ] && have=$(awk -v m="$mnt" '$1 !~ /^#/ && $2 == m' "$fstab")
if [ -n "$have" ]; then
    case $(printf '%s\n' "$have" | awk '{ print $1, $2, $3 }') in
    "UUID=$uuid $mnt ext4" | "LABEL=$label $mnt ext4") ok fstab "$(printf '%s' "$have" | tr -s ' \t' ' ')" ;;
    *)
        failed fstab "/etc/fstab already mounts something else at $mnt: $(printf '%s' "$have" | tr '\n' ' ' | tr -s ' \t' ' '); hint: remove that line on $HLSH_NODE or choose another data_mount"
        finish
        ;;
    esac
elif checking; then
    would fstab "add '$want' to /etc/fstab"
else
    { [ ! -f "$fstab" ] || cat "$fstab"; } >"$hlsh_work/fstab"
    printf '%s\n' "$want" >>"$hlsh_work/fstab"
    if put_file "$hlsh_work/fstab" "$fstab" "$(stat -c %a "$fstab" 2>/dev/null || echo 644)"; then
        changed fstab "added '$want'"
        # systemd makes mount units from fstab: `mount` hints at daemon-reload after an edit.
        run systemctl daemon-reload || failed fstab "systemctl daemon-reload: $run_output"
    else
        failed fstab "cannot write /etc/fstab"
        finish
    fi
fi

# --- the mount: the disk at the mount point, never over data already there ----------------------

if run findmnt -n -o SOURCE --mountpoint "$mnt"; then
    source=$(cat "$hlsh_work/run.out")
    if [ "$source" = "$dev" ]; then
        ok mount "$dev at $mnt"
    else
        failed mount "$mnt is already mounted from $source, not from the data disk $dev; hint: unmount it on $HLSH_NODE"
    fi
elif [ -d "$R$mnt" ] && [ -n "$(find "$R$mnt" -mindepth 1 -maxdepth 1 | head -n 1)" ]; then
    held=$(find "$R$mnt" -mindepth 1 -maxdepth 1 -printf '%f ' | cut -c 1-80)
    failed mount "not mounting $dev over $mnt: it is not empty (${held% }), the mount would hide that; hint: move its contents away on $HLSH_NODE first"
elif checking; then
    would mount "mount $dev at $mnt"
elif run mkdir -p "$R$mnt" && run mount "$mnt"; then
    changed mount "mounted $dev at $mnt"
else
    failed mount "mount $mnt: $run_output"
fi

finish
